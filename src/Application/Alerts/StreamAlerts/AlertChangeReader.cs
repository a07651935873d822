using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Application.Alerts.StreamAlerts;

/// <summary>Reads a stretch of the change log as stream events, each alert as the list shows it (one query for the page).</summary>
public sealed class AlertChangeReader(IApplicationDbContext db, IAlertChangeLog log, TimeProvider clock)
{
    public const int PageSize = 500;

    public async Task<AlertStreamPage> ReadAsync(long after, long upTo, CancellationToken cancellationToken)
    {
        var changes = await log.ReadAsync(after, upTo, PageSize, cancellationToken);
        if (changes.Count == 0)
        {
            return new AlertStreamPage([], upTo);
        }

        var ids = changes.Select(c => c.AlertId).Distinct().ToList();
        var rows = await AlertListProjection.Rows(db.Alerts.AsNoTracking().Where(a => ids.Contains(a.Id)))
            .ToListAsync(cancellationToken);
        var alerts = (await AlertListProjection.ToDtosAsync(db, rows, clock.GetUtcNow(), cancellationToken)).ToDictionary(a => a.Id);

        // An alert no longer stored has nothing left to show; its changes are skipped.
        var events = changes
            .Where(c => alerts.ContainsKey(c.AlertId))
            .Select(c => new AlertStreamEvent(c.Id, c.Kind, alerts[c.AlertId]))
            .ToList();
        return new AlertStreamPage(events, changes.Count < PageSize ? upTo : changes[^1].Id);
    }
}
