using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>A user as an alert names them (its assignee, a comment's author).</summary>
public sealed record UserRefDto(long Id, string Username);

/// <summary>A response that stands for one alert at one row version: WebApi answers it with an ETag.</summary>
public interface IAlertVersioned
{
    uint AlertVersion { get; }
}

/// <summary>
/// An alert in a list: its state, triage fields and the event that raised it. <see cref="Event"/> is null once retention
/// dropped that event's month (<see cref="EventExpired"/>); the alert keeps its snapshot of it (source, event type,
/// description, detection).
/// </summary>
public sealed record AlertDto(
    long Id,
    AlertStatus Status,
    [property: Description("The event that raised the alert; null once the retention period dropped it (event_expired is then true).")] EventDto? Event,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    UserRefDto? Assignee,
    IReadOnlyList<string> Tags,
    DateTimeOffset? AckDueAt,
    DateTimeOffset? ResolveDueAt,
    bool SlaBreached,
    Severity Severity,
    int Occurrences,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    [property: JsonIgnore] AlertSnapshot Snapshot)
{
    /// <summary>The detection of the event that raised the alert (the alert's copy: it outlives the event).</summary>
    public Detection? Detection => Snapshot.Detection;

    /// <summary>True when the event that raised the alert is no longer stored (retention dropped its month).</summary>
    [Description("True when the event that raised the alert is no longer stored (the retention period dropped its month); the alert keeps its copy of the event's source, event_type, description, severity and detection.")]
    public bool EventExpired => Event is null;

    /// <summary>The source of the event that raised the alert (the alert's copy: it outlives the event).</summary>
    public string Source => Snapshot.Source;

    /// <summary>The event type of the event that raised the alert (the alert's copy).</summary>
    public string EventType => Snapshot.EventType;

    /// <summary>The description of the event that raised the alert (the alert's copy).</summary>
    public string Description => Snapshot.Description;

    /// <summary>The detection rule that raised the alert (as it was then); null for an alert its event's severity raised.</summary>
    [Description("The detection rule that raised the alert, as it was then: {id, title, level, technique}; null for an alert its event's severity raised.")]
    public AlertRuleDto? Rule => Snapshot.Rule;
}

/// <summary>What an alert copied from the event that raised it, kept when retention drops the event.</summary>
public sealed record AlertSnapshot(string Source, string EventType, string Description, Detection? Detection, AlertRuleDto? Rule = null);

/// <summary>The alert columns a list shows, read without the alert's history.</summary>
public sealed record AlertRow(
    long Id,
    AlertStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    UserRefDto? Assignee,
    string[] Tags,
    DateTimeOffset? AckDueAt,
    DateTimeOffset? ResolveDueAt,
    DateTimeOffset? FirstAcknowledgedAt,
    DateTimeOffset? ClosedAt,
    Severity Severity,
    int Occurrences,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    long EventId,
    AlertSnapshot Snapshot);

/// <summary>An alert with its audit trail, oldest change first (GET /api/alerts/{id}/ and the single-alert writes).</summary>
public sealed record AlertDetailDto(
    long Id,
    AlertStatus Status,
    [property: Description("The event that raised the alert; null once the retention period dropped it (event_expired is then true).")] EventDto? Event,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    UserRefDto? Assignee,
    IReadOnlyList<string> Tags,
    DateTimeOffset? AckDueAt,
    DateTimeOffset? ResolveDueAt,
    bool SlaBreached,
    Severity Severity,
    int Occurrences,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    int CommentsCount,
    IReadOnlyList<AlertHistoryEntryDto> History,
    [property: Description("The notifications this alert caused, oldest first: the channel (id, null once deleted), its kind, the alert event, how the delivery stands and when it was sent.")] IReadOnlyList<AlertNotificationDto> Notifications,
    [property: JsonIgnore] AlertSnapshot Snapshot) : IAlertVersioned
{
    /// <summary>The detection of the event that raised the alert (the alert's copy: it outlives the event).</summary>
    public Detection? Detection => Snapshot.Detection;

    /// <summary>True when the event that raised the alert is no longer stored (retention dropped its month).</summary>
    [Description("True when the event that raised the alert is no longer stored (the retention period dropped its month); the alert keeps its copy of the event's source, event_type, description, severity and detection.")]
    public bool EventExpired => Event is null;

    /// <summary>The source of the event that raised the alert (the alert's copy: it outlives the event).</summary>
    public string Source => Snapshot.Source;

    /// <summary>The event type of the event that raised the alert (the alert's copy).</summary>
    public string EventType => Snapshot.EventType;

    /// <summary>The description of the event that raised the alert (the alert's copy).</summary>
    public string Description => Snapshot.Description;

    /// <summary>The detection rule that raised the alert (as it was then); null for an alert its event's severity raised.</summary>
    [Description("The detection rule that raised the alert, as it was then: {id, title, level, technique}; null for an alert its event's severity raised.")]
    public AlertRuleDto? Rule => Snapshot.Rule;

    /// <summary>The row version the ETag header carries; not part of the body.</summary>
    [JsonIgnore]
    public uint AlertVersion { get; init; }
}

/// <summary>
/// One change: what (action), from what to what, who, when and why. Status changes also carry from_status/to_status
/// (typed, as v1 clients read them); from/to are texts: a status, a username, a comma-separated tag list, a comment id,
/// a severity (ESCALATED: a folded-in event raised it; changed_by is then null, the platform made the change).
/// </summary>
public sealed record AlertHistoryEntryDto(
    AlertHistoryAction Action,
    string? From,
    string? To,
    AlertStatus? FromStatus,
    AlertStatus? ToStatus,
    long? ChangedBy,
    string? ChangedByUsername,
    DateTimeOffset ChangedAt,
    string? Note);

/// <summary>
/// Entity and row to DTO. The nested event's alert_id is the alert itself; the event is passed in as read (null when
/// retention dropped it), never taken from <see cref="Alert.Event"/>, which only writes fill.
/// </summary>
public static class AlertMapper
{
    public static AlertSnapshot SnapshotOf(this Alert alert) =>
        new(alert.Source, alert.EventType, alert.Description, alert.Detection,
            alert.RuleId is { } ruleId ? new AlertRuleDto(ruleId, alert.RuleTitle!, alert.RuleLevel!.Value, alert.RuleTechnique) : null);

    public static AlertDto ToDto(this AlertRow alert, SecurityEvent? securityEvent, DateTimeOffset now) => new(
        alert.Id,
        alert.Status,
        securityEvent?.ToDto(alert.Id),
        alert.CreatedAt,
        alert.UpdatedAt,
        alert.Assignee,
        alert.Tags,
        alert.AckDueAt,
        alert.ResolveDueAt,
        SlaBreach.IsBreached(alert.AckDueAt, alert.ResolveDueAt, alert.FirstAcknowledgedAt, alert.ClosedAt, now),
        alert.Severity,
        alert.Occurrences,
        alert.FirstSeenAt,
        alert.LastSeenAt,
        alert.Snapshot);

    public static AlertDetailDto ToDetailDto(
        this Alert alert,
        SecurityEvent? securityEvent,
        IReadOnlyDictionary<long, string> usernames,
        int commentsCount,
        IReadOnlyList<AlertNotificationDto> notifications,
        DateTimeOffset now) => new(
        alert.Id,
        alert.Status,
        securityEvent?.ToDetailDto(alert.Id),
        alert.CreatedAt,
        alert.UpdatedAt,
        alert.Assignee is { } assignee ? new UserRefDto(assignee.Id, assignee.Username) : null,
        alert.Tags,
        alert.AckDueAt,
        alert.ResolveDueAt,
        alert.IsSlaBreached(now),
        alert.Severity,
        alert.Occurrences,
        alert.FirstSeenAt,
        alert.LastSeenAt,
        commentsCount,
        alert.History
            .OrderBy(h => h.ChangedAt).ThenBy(h => h.Id)
            .Select(h => h.ToDto(h.ChangedById is { } by ? usernames.GetValueOrDefault(by) : null))
            .ToList(),
        notifications,
        alert.SnapshotOf())
    {
        AlertVersion = alert.Version,
    };

    public static AlertHistoryEntryDto ToDto(this AlertHistoryEntry change, string? changedByUsername) => new(
        change.Action,
        change.FromStatus?.ToWire() ?? change.FromSeverity?.ToWire() ?? (change.Action == AlertHistoryAction.CommentDeleted ? CommentRef(change) : change.From),
        change.ToStatus?.ToWire() ?? change.ToSeverity?.ToWire() ?? (change.Action == AlertHistoryAction.CommentAdded ? CommentRef(change) : change.To),
        change.FromStatus,
        change.ToStatus,
        change.ChangedById,
        changedByUsername,
        change.ChangedAt,
        change.Note);

    private static string? CommentRef(AlertHistoryEntry change) =>
        (change.CommentId ?? change.Comment?.Id)?.ToString(CultureInfo.InvariantCulture);
}
