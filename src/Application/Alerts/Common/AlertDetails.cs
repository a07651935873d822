using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>Loading one alert for a change, and building its detail view.</summary>
public static class AlertDetails
{
    /// <summary>The alerts with what their detail shows besides the history (which, owned, always comes along).</summary>
    public static IQueryable<Alert> ForDetail(this IQueryable<Alert> alerts) =>
        alerts.Include(a => a.Event).Include(a => a.Assignee);

    /// <summary>
    /// One alert, tracked, for a single-alert write: 404 when unknown, 412 when the caller's If-Match names another
    /// version (a change in between the check and the save still fails on xmin, as a 409).
    /// </summary>
    public static async Task<Alert> LoadForChangeAsync(this IApplicationDbContext db, long id, IIfMatch ifMatch, CancellationToken cancellationToken)
    {
        var alert = await db.Alerts.ForDetail().FirstOrDefaultAsync(a => a.Id == id, cancellationToken)
            ?? throw new NotFound("Alert", id);
        if (!ifMatch.Allows(alert.Version))
        {
            throw new PreconditionFailedException("The alert changed since you read it (If-Match does not match its ETag); reload it and try again.");
        }

        return alert;
    }

    /// <summary>The detail view: the usernames behind its history and its comment count, in one query each.</summary>
    public static async Task<AlertDetailDto> ToDetailAsync(this Alert alert, IApplicationReadDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var userIds = alert.History.Where(h => h.ChangedById is not null).Select(h => h.ChangedById!.Value).Distinct().ToList();
        var usernames = userIds.Count == 0
            ? new Dictionary<long, string>()
            : await db.Users.AsNoTracking()
                .Where(u => userIds.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.Username, cancellationToken);
        var comments = await db.AlertComments.CountAsync(c => c.AlertId == alert.Id && c.DeletedAt == null, cancellationToken);
        return alert.ToDetailDto(usernames, comments, clock.GetUtcNow());
    }
}
