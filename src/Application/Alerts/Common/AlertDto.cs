using Riok.Mapperly.Abstractions;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>An alert in a list: its state and the event that raised it.</summary>
public sealed record AlertDto(long Id, AlertStatus Status, EventDto Event, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The detection of the event that raised the alert.</summary>
    public Detection? Detection => Event.Detection;
}

/// <summary>The alert columns a list shows, read without the alert's history.</summary>
public sealed record AlertRow(long Id, AlertStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An alert with its audit trail, oldest change first (GET /api/alerts/{id}/, PATCH …/status/).</summary>
public sealed record AlertDetailDto(
    long Id,
    AlertStatus Status,
    EventDto Event,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<AlertStatusChangeDto> History)
{
    /// <summary>The detection of the event that raised the alert.</summary>
    public Detection? Detection => Event.Detection;
}

/// <summary>One status change: who moved the alert from what to what, when and why.</summary>
public sealed record AlertStatusChangeDto(
    AlertStatus FromStatus,
    AlertStatus ToStatus,
    long ChangedBy,
    string? ChangedByUsername,
    DateTimeOffset ChangedAt,
    string? Note);

/// <summary>Entity to DTO, generated at compile time. The nested event's alert_id is the alert itself.</summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class AlertMapper
{
    public static AlertDto ToDto(this AlertRow alert, SecurityEvent securityEvent) => alert.ToDto(securityEvent.ToDto(alert.Id));

    private static partial AlertDto ToDto(this AlertRow alert, EventDto Event);

    public static AlertDetailDto ToDetailDto(this Alert alert, IReadOnlyDictionary<long, string> usernames) => new(
        alert.Id,
        alert.Status,
        alert.Event.ToDto(alert.Id),
        alert.CreatedAt,
        alert.UpdatedAt,
        alert.History
            .OrderBy(h => h.ChangedAt).ThenBy(h => h.Id)
            .Select(h => h.ToDto(usernames.GetValueOrDefault(h.ChangedById)))
            .ToList());

    [MapProperty(nameof(AlertStatusChange.ChangedById), nameof(AlertStatusChangeDto.ChangedBy))]
    private static partial AlertStatusChangeDto ToDto(this AlertStatusChange change, string? changedByUsername);
}
