namespace ThreatPlatform.Domain.Notifications;

/// <summary>
/// The alert events a rule can select, by their wire names. The database's triggers write the same texts into
/// notification_deliveries.event (migration NotificationOutbox), so the names live here once and in that SQL.
/// </summary>
public static class NotificationEvents
{
    public const string Created = "alert.created";

    /// <summary>A grouped alert's severity rose (a folded-in event was more severe).</summary>
    public const string Escalated = "alert.escalated";

    /// <summary>A closed alert went back to OPEN.</summary>
    public const string Reopened = "alert.reopened";

    /// <summary>An alert got an assignee (or another one).</summary>
    public const string Assigned = "alert.assigned";

    /// <summary>An alert's acknowledge or close due time passed before the step happened.</summary>
    public const string SlaBreached = "alert.sla_breached";

    /// <summary>A test message an admin sent through a channel (never selected by a rule).</summary>
    public const string Test = "test";

    public static IReadOnlyList<string> Selectable { get; } = [Created, Escalated, Reopened, Assigned, SlaBreached];

    /// <summary>How many events a rule may name: each of <see cref="Selectable"/> once.</summary>
    public const int MaxSelectable = 5;

    /// <summary>The longest name in <see cref="Selectable"/> is shorter; a longer one cannot be an event.</summary>
    public const int NameMaxLength = 50;
}
