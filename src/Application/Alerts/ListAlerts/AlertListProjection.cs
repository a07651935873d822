using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Alerts.ListAlerts;

/// <summary>
/// The alert as the list shows it, read in SQL and mapped in memory: the list and the live stream both use it, so a
/// field added to the list reaches the stream too.
/// </summary>
public static class AlertListProjection
{
    // Projected, so the history (an owned collection) is not dragged into a list that does not show it.
    public static IQueryable<AlertListRow> Rows(IQueryable<Alert> alerts) =>
        alerts.Select(a => new AlertListRow(
            new AlertRow(
                a.Id,
                a.Status,
                a.CreatedAt,
                a.UpdatedAt,
                a.Assignee == null ? null : new UserRefDto(a.Assignee.Id, a.Assignee.Username),
                a.Tags,
                a.AckDueAt,
                a.ResolveDueAt,
                a.FirstAcknowledgedAt,
                a.ClosedAt,
                a.Severity,
                a.Occurrences,
                a.FirstSeenAt,
                a.LastSeenAt),
            a.Event));

    /// <summary>The alert as listed at <paramref name="now"/> (sla_breached depends on the time it is read).</summary>
    public static AlertDto ToDto(AlertListRow row, DateTimeOffset now) => row.Alert.ToDto(row.Event, now);
}

/// <summary>The columns <see cref="AlertListProjection"/> reads for one alert.</summary>
public sealed record AlertListRow(AlertRow Alert, SecurityEvent Event);
