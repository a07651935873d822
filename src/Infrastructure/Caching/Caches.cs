using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Users.GetUserAccess;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// The rows every request needs and that rarely change, kept in this process and invalidated by NOTIFY
/// (<see cref="CacheInvalidationListener"/>): who a token's user is now.
/// </summary>
internal sealed class Caches(TimeProvider clock) : ICacheSubscriber
{
    /// <summary>A bound on staleness should a notification ever be missed (as the API key cache's).</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    /// <summary>Users by id: role and active flag (channel <see cref="NotifyChannels.Users"/>, payload the user's id).</summary>
    public InvalidatedCache<long, UserAccess> Users { get; } = new(clock, TimeToLive, maxEntries: 100_000);

    public string Channel => NotifyChannels.Users;

    /// <summary>A user's role or active flag changed, or the user deleted: the trigger sends the user's id.</summary>
    public string? PayloadOf(object entity, EntityState state) =>
        entity is User user && state is EntityState.Modified or EntityState.Deleted
            ? user.Id.ToString(CultureInfo.InvariantCulture)
            : null;

    public void Apply(string payload)
    {
        if (long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
        {
            Users.Evict(userId);
        }
        else
        {
            Users.Clear();
        }
    }

    public void Trust() => Users.Trust();

    public void Distrust() => Users.Distrust();
}
