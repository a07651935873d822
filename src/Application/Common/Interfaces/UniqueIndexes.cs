namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>The unique indexes a use case reacts to by name when one refuses a row.</summary>
public static class UniqueIndexes
{
    /// <summary>One event per (source, external_id): a sensor's retry, or a conflicting reuse of the key.</summary>
    public const string EventExternalId = "ix_events_source_external_id";

    /// <summary>At most one collecting alert per fingerprint: two events raised it at once; the later one folds instead.</summary>
    public const string CollectingAlertFingerprint = "ix_alerts_collecting_fingerprint";
}
