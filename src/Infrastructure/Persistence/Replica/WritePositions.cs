using System.Collections.Concurrent;

namespace ThreatPlatform.Infrastructure.Persistence.Replica;

/// <summary>
/// Per person, the primary's WAL position after their last write, held in this process only (see docs/scaling.md:
/// with several API processes, a person's requests must reach the same one). An entry goes as soon as the replica has
/// replayed past it, or once it is older than the lag the replica is allowed (a replica within that lag has replayed
/// it anyway): the map holds only the people who wrote in the last moments.
/// </summary>
internal sealed class WritePositions(TimeProvider time)
{
    /// <summary>Stands for "a write whose position is unknown": reads go to the primary until the entry expires.</summary>
    public const ulong Unknown = ulong.MaxValue;

    private readonly ConcurrentDictionary<long, (ulong Lsn, long At)> _byUser = new();

    public int Count => _byUser.Count;

    public void Record(long userId, ulong lsn)
    {
        var now = time.GetTimestamp();
        _byUser.AddOrUpdate(userId, (lsn, now), (_, old) => (Math.Max(old.Lsn, lsn), now));
    }

    public ulong? Of(long userId) => _byUser.TryGetValue(userId, out var entry) ? entry.Lsn : null;

    /// <summary>Drops the entries the replica has replayed, and those older than <paramref name="maxLag"/>.</summary>
    public void Forget(ulong replayed, TimeSpan maxLag)
    {
        foreach (var (userId, entry) in _byUser)
        {
            if (entry.Lsn <= replayed || time.GetElapsedTime(entry.At) > maxLag)
            {
                // Only that entry: a newer write recorded in between stays.
                _byUser.TryRemove(KeyValuePair.Create(userId, entry));
            }
        }
    }
}
