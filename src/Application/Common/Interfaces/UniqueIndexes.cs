namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>The unique indexes a use case reacts to by name when one refuses a row.</summary>
public static class UniqueIndexes
{
    /// <summary>
    /// One event per (source, external_id), across every month partition of events: a sensor's retry, or a conflicting
    /// reuse of the key. The primary key of event_keys, written by a trigger on events in the inserting statement.
    /// </summary>
    public const string EventExternalId = "pk_event_keys";

    /// <summary>At most one collecting alert per fingerprint: two events raised it at once; the later one folds instead.</summary>
    public const string CollectingAlertFingerprint = "ix_alerts_collecting_fingerprint";
}
