namespace ThreatPlatform.Infrastructure.Persistence.Replica;

/// <summary>Where one request's queries read.</summary>
internal enum ReadTarget
{
    Primary,
    Replica,
}

/// <summary>What one look at the replica found.</summary>
/// <param name="TakenAt">When (a <see cref="TimeProvider"/> timestamp).</param>
/// <param name="Usable">Reachable and a standby in recovery.</param>
/// <param name="ReplayLsn">The end of the WAL it has replayed (what its queries see).</param>
/// <param name="LagSeconds">How far behind the primary it is: 0 when it has replayed all it received from a live
/// stream, else the age of the last transaction it replayed; null when it cannot tell.</param>
/// <param name="Problem">Why it is not usable, in words safe for an anonymous health probe.</param>
/// <param name="Receiving">A WAL receiver runs on it (it streams, or is trying to).</param>
/// <param name="SlotName">The replication slot it streams from (its primary_slot_name), if any.</param>
internal sealed record ReplicaSnapshot(
    long TakenAt, bool Usable, ulong ReplayLsn, double? LagSeconds, string? Problem, bool Receiving = false, string? SlotName = null);

/// <summary>The routing rule, on its own so that it can be tested without a database.</summary>
internal static class ReadRouting
{
    /// <summary>A look older than this is not trusted at all (say the API was idle and the replica died since).</summary>
    public static readonly TimeSpan TrustFor = TimeSpan.FromSeconds(1);

    /// <param name="replica">The latest look at the replica; null before the first.</param>
    /// <param name="age">How old that look is.</param>
    /// <param name="callerWroteAt">The primary's WAL position after the caller's last write, if it is still remembered.</param>
    /// <param name="maxLag">Database:ReplicaMaxLagSeconds.</param>
    public static ReadTarget Choose(ReplicaSnapshot? replica, TimeSpan age, ulong? callerWroteAt, TimeSpan maxLag)
    {
        if (replica is not { Usable: true } || age > TrustFor)
        {
            return ReadTarget.Primary;
        }

        if (replica.LagSeconds is not { } lag || lag > maxLag.TotalSeconds)
        {
            return ReadTarget.Primary;
        }

        // Read-your-writes: the replica shows the caller's own change only once it has replayed past it.
        return callerWroteAt is { } written && replica.ReplayLsn < written ? ReadTarget.Primary : ReadTarget.Replica;
    }
}
