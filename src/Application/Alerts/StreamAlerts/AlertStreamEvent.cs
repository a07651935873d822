using ThreatPlatform.Application.Alerts.Common;

namespace ThreatPlatform.Application.Alerts.StreamAlerts;

/// <summary>What happened to an alert: raised, or changed in any way afterwards.</summary>
public enum AlertChangeKind : short
{
    Created = 1,
    Updated = 2,
}

/// <summary>
/// One row of the live stream's log (table alert_changes, written by a trigger on alerts): its position (the stream's
/// event id), the alert and what happened. An alert's own audit trail is its history (<c>AlertHistoryEntry</c>).
/// </summary>
public sealed record AlertChange(long Id, long AlertId, AlertChangeKind Kind);

/// <summary>One event of the live stream: the change's position in the log and the alert as the list shows it now.</summary>
public sealed record AlertStreamEvent(long Id, AlertChangeKind Kind, AlertDto Alert);

/// <summary>A stretch of the change log read as stream events, and how far it reached (the next read starts after it).</summary>
public sealed record AlertStreamPage(IReadOnlyList<AlertStreamEvent> Events, long ReadUpTo);
