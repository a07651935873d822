using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>
/// The events that raised alerts, read by id. An id with no event is an event retention dropped (its month partition):
/// the alert reads on with <c>event: null</c> and <c>event_expired: true</c>. Never through
/// <c>Include(a => a.Event)</c>: the relationship is required for EF Core, which would inner-join and hide the alert.
/// </summary>
public static class AlertEvents
{
    public static async Task<Dictionary<long, SecurityEvent>> RaisingEventsAsync(
        IApplicationReadDbContext db,
        IEnumerable<long> eventIds,
        CancellationToken cancellationToken)
    {
        var ids = eventIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        // id = ANY(@ids): one probe of each month partition's primary key per id (the month is not known from the alert).
        return await db.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
    }

    public static async Task<SecurityEvent?> RaisingEventAsync(IApplicationReadDbContext db, long eventId, CancellationToken cancellationToken) =>
        await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
}
