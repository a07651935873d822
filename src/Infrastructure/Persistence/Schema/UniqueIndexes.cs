using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// The unique indexes whose refusal means something to a use case, and the <see cref="SaveResult"/> each stands for:
/// the names stay in Infrastructure, Application sees only the result.
/// </summary>
internal static class UniqueIndexes
{
    /// <summary>
    /// One event per (source, external_id), across every month partition of events: a sensor's retry, or a conflicting
    /// reuse of the key. The primary key of event_keys, written by a trigger on events in the inserting statement.
    /// </summary>
    public const string EventExternalId = EventPartitionsSql.KeyConstraint;

    /// <summary>At most one collecting alert per fingerprint: two events raised it at once; the later one folds instead.</summary>
    public const string CollectingAlertFingerprint = "ix_alerts_collecting_fingerprint";

    /// <summary>What a refusal by the unique index <paramref name="indexName"/> means to the caller.</summary>
    public static SaveResult RefusalBy(string? indexName) => indexName switch
    {
        EventExternalId => SaveResult.DuplicateExternalId,
        CollectingAlertFingerprint => SaveResult.CollectingFingerprintTaken,
        _ => SaveResult.ValueTaken,
    };
}
