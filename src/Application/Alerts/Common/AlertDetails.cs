using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>Builds an alert's detail view: the usernames behind its history, looked up in one query.</summary>
internal static class AlertDetails
{
    public static async Task<AlertDetailDto> ToDetailAsync(this Alert alert, IApplicationDbContext db, CancellationToken cancellationToken)
    {
        var userIds = alert.History.Select(h => h.ChangedById).Distinct().ToList();
        var usernames = userIds.Count == 0
            ? new Dictionary<long, string>()
            : await db.Users.AsNoTracking()
                .Where(u => userIds.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.Username, cancellationToken);
        return alert.ToDetailDto(usernames);
    }
}
