using ThreatPlatform.Application.Users.GetUserAccess;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// The rows every request needs and that rarely change, kept in this process and invalidated by NOTIFY
/// (<see cref="CacheInvalidationListener"/>): who a token's user is now, and which sensor owns a source.
/// </summary>
internal sealed class Caches(TimeProvider clock)
{
    /// <summary>A bound on staleness should a notification ever be missed (as the API key cache's).</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    /// <summary>Users by id: role and active flag (channel <see cref="UsersChannel"/>, payload the user's id).</summary>
    public InvalidatedCache<long, UserAccess> Users { get; } = new(clock, TimeToLive, maxEntries: 100_000);

    /// <summary>Sources by name: the owning sensor, or null for a source no sensor owns (cleared on any sensor change).</summary>
    public InvalidatedCache<string, long?> SourceOwners { get; } = new(clock, TimeToLive, maxEntries: 100_000);

    /// <summary>
    /// The syslog listener's sender map under key 0 (<see cref="Syslog.SyslogSenderDirectory"/>): cleared on any sensor or
    /// source change, as <see cref="SourceOwners"/> is.
    /// </summary>
    public InvalidatedCache<int, Syslog.SyslogSenderMap> SyslogSenders { get; } = new(clock, TimeToLive, maxEntries: 1);

    public const string UsersChannel = "tp_users";

    public void Trust()
    {
        Users.Trust();
        SourceOwners.Trust();
        SyslogSenders.Trust();
    }

    public void Distrust()
    {
        Users.Distrust();
        SourceOwners.Distrust();
        SyslogSenders.Distrust();
    }
}
