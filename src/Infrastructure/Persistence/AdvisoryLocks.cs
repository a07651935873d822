namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>
/// The first key of this application's two-key advisory locks (pg_advisory_xact_lock(int, int)); PostgreSQL keeps the
/// two-key space apart from the one-key space, so these never clash with single-key locks.
/// </summary>
internal static class AdvisoryLocks
{
    /// <summary>With hashtext(normalized username): one login at a time per username.</summary>
    public const int LoginUsername = 7101;

    /// <summary>With 0: one audit append at a time, so entries form one chain.</summary>
    public const int AuditChain = 7102;

    /// <summary>With 0, session-level: one API replica at a time creates and drops event partitions.</summary>
    public const int EventPartitions = 7103;

    /// <summary>
    /// With 0: held shared by every transaction while it writes alert_changes (log_alert_changes takes it), so the
    /// stream's reader can tell, by taking it exclusively for a moment, that no change id is in flight.
    /// </summary>
    public const int AlertChangeWriters = 7104;
}
