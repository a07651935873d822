using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Notifications.Common;

/// <summary>Channel and rule names are unique case-insensitively: a clear 409 before saving, and after a unique index refused the save.</summary>
internal static class NotificationConflicts
{
    public static async Task SaveAsync(IApplicationDbContext db, Func<Task<bool>> nameTaken, string what, CancellationToken cancellationToken)
    {
        if (await nameTaken())
        {
            throw new Conflict($"A {what} with that name already exists.", "Name");
        }

        if (await db.TrySaveChangesAsync(cancellationToken) == SaveResult.Saved)
        {
            return;
        }

        throw new Conflict($"A {what} with that name already exists.", "Name");
    }

    /// <summary>Every channel a rule names must exist (400 naming channels).</summary>
    public static async Task ThrowIfUnknownChannelsAsync(IApplicationDbContext db, IReadOnlyList<long>? channels, CancellationToken cancellationToken)
    {
        if (channels is null)
        {
            return;
        }

        var ids = channels.Distinct().ToList();
        var known = await db.NotificationChannels.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken);
        var unknown = ids.Except(known).ToList();
        if (unknown.Count > 0)
        {
            throw new Invalid($"channels names no channel with id {string.Join(", ", unknown)}.", "Channels");
        }
    }
}
