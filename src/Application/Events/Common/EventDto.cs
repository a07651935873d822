using System.Net;
using System.Text.Json;
using Riok.Mapperly.Abstractions;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Events.Common;

/// <summary>An event as the API shows it (POST/GET /api/events/, and nested in every alert).</summary>
public sealed record EventDto
{
    public required long Id { get; init; }
    public required string Source { get; init; }
    public required string EventType { get; init; }
    public required Severity Severity { get; init; }
    public required string Description { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public string? SourceIp { get; init; }
    public string? DestinationIp { get; init; }
    public JsonElement? Metadata { get; init; }
    public string? ExternalId { get; init; }

    /// <summary>When the platform received the event.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The id of the user whose token ingested it; null for a sensor's API key.</summary>
    public long? IngestedBy { get; init; }

    /// <summary>The sensor whose API key ingested it; null for a user token.</summary>
    public long? Sensor { get; init; }

    /// <summary>The alert this event raised or folded into (grouping); null for LOW and MEDIUM events.</summary>
    public long? AlertId { get; init; }

    /// <summary>The detection model's verdict, for model-made events.</summary>
    public Detection? Detection { get; init; }
}

/// <summary>An event read with the id of the alert it raised or folded into, if any (a left join, without loading the alert).</summary>
public sealed record EventRow(SecurityEvent Event, long? AlertId)
{
    public EventDto ToDto() => Event.ToDto(AlertId);
}

public static class EventQueries
{
    public static IQueryable<EventRow> WithAlertId(this IQueryable<SecurityEvent> events) =>
        events.Select(e => new EventRow(e, e.Alerts.OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefault() ?? e.FoldedIntoAlertId));
}

/// <summary>Entity to DTO, generated at compile time; target-driven so a new entity field never leaks by accident.</summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class EventMapper
{
    [MapProperty(nameof(SecurityEvent.IngestedById), nameof(EventDto.IngestedBy))]
    [MapProperty(nameof(SecurityEvent.SensorId), nameof(EventDto.Sensor))]
    public static partial EventDto ToDto(this SecurityEvent securityEvent, long? alertId);

    private static string? IpText(IPAddress? ip) => ip?.ToString();

    private static JsonElement? MetadataJson(string? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(metadata);
        return document.RootElement.Clone();
    }
}
