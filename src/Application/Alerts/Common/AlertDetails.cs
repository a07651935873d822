using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>Loading one alert for a change, and building its detail view.</summary>
public static class AlertDetails
{
    /// <summary>
    /// The alerts with what their detail shows besides the history (which, owned, always comes along) and the raising
    /// event (read apart by <see cref="ToDetailAsync"/>: it may be gone, see <see cref="AlertEvents"/>).
    /// </summary>
    public static IQueryable<Alert> ForDetail(this IQueryable<Alert> alerts) =>
        alerts.Include(a => a.Assignee);

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

    /// <summary>How often a single-alert change without a named If-Match version is tried before its 409.</summary>
    public const int ChangeAttempts = 4;

    /// <summary>
    /// Loads the alert, lets <paramref name="change"/> act on it, saves. A caller who named the version it read
    /// (If-Match) gets exactly that: 412 when stale at load, 409 when it goes stale before the save. A caller who did
    /// not asked for "this change to the alert", so a save that loses to a concurrent writer (a sensor folding events
    /// into a busy alert every few milliseconds) is redone on a fresh copy, where the alert's own rules decide again.
    /// </summary>
    public static async Task<Alert> ChangeAsync(
        this IApplicationDbContext db, long id, IIfMatch ifMatch, Func<Alert, Task> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var alert = await db.LoadForChangeAsync(id, ifMatch, cancellationToken);
            await change(alert);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return alert;
            }
            catch (DbUpdateConcurrencyException) when (!ifMatch.NamesAVersion && attempt < ChangeAttempts)
            {
                db.ForgetChanges();
            }
        }
    }

    /// <inheritdoc cref="ChangeAsync(IApplicationDbContext, long, IIfMatch, Func{Alert, Task}, CancellationToken)"/>
    public static Task<Alert> ChangeAsync(
        this IApplicationDbContext db, long id, IIfMatch ifMatch, Action<Alert> change, CancellationToken cancellationToken) =>
        db.ChangeAsync(id, ifMatch, alert =>
        {
            change(alert);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>The detail view: the raising event, the usernames behind its history and its comment count, in one query each.</summary>
    public static async Task<AlertDetailDto> ToDetailAsync(this Alert alert, IApplicationReadDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var userIds = alert.History.Where(h => h.ChangedById is not null).Select(h => h.ChangedById!.Value).Distinct().ToList();
        var usernames = userIds.Count == 0
            ? new Dictionary<long, string>()
            : await db.Users.AsNoTracking()
                .Where(u => userIds.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.Username, cancellationToken);
        var comments = await db.AlertComments.CountAsync(c => c.AlertId == alert.Id && c.DeletedAt == null, cancellationToken);
        var raisedBy = await AlertEvents.RaisingEventAsync(db, alert.EventId, cancellationToken);
        var notifications = await NotificationProjections.OfAlertAsync(db, alert.Id, cancellationToken);
        return alert.ToDetailDto(raisedBy, usernames, comments, notifications, clock.GetUtcNow());
    }
}
