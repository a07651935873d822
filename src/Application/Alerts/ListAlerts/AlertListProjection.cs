using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Alerts.ListAlerts;

/// <summary>
/// The alert as the list shows it, read in SQL and mapped in memory: the list and the live stream both use it, so a
/// field added to the list reaches the stream too. The raising events are read in a second query by id: an alert may
/// outlive its event (retention drops whole months), and EF Core would inner-join the required navigation.
/// </summary>
public static class AlertListProjection
{
    // Projected, so the history (an owned collection) is not dragged into a list that does not show it.
    public static IQueryable<AlertRow> Rows(IQueryable<Alert> alerts) =>
        alerts.Select(a => new AlertRow(
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
            a.LastSeenAt,
            a.EventId,
            new AlertSnapshot(
                a.Source,
                a.EventType,
                a.Description,
                Detection.Of(a.DetectionModel, a.DetectionModelVersion, a.DetectionConfidence, a.DetectionTechnique),
                a.RuleId == null ? null : new Rules.Common.AlertRuleDto(a.RuleId, a.RuleTitle!, a.RuleLevel!.Value, a.RuleTechnique))));

    /// <summary>The alerts as listed at <paramref name="now"/> (sla_breached depends on the time it is read), with their events.</summary>
    public static async Task<List<AlertDto>> ToDtosAsync(
        IApplicationReadDbContext db,
        IReadOnlyList<AlertRow> rows,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var events = await AlertEvents.RaisingEventsAsync(db, rows.Select(r => r.EventId), cancellationToken);
        return [.. rows.Select(r => r.ToDto(events.GetValueOrDefault(r.EventId), now))];
    }
}
