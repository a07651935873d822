namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// How <see cref="IApplicationDbContext.TrySaveChangesAsync"/> ended: saved, or refused by a unique index. On a refusal
/// the transaction rolled back and nothing stays tracked.
/// </summary>
public enum SaveResult
{
    /// <summary>Committed.</summary>
    Saved,

    /// <summary>An event with the same (source, external_id) is stored: a sensor's retry, or a conflicting reuse of the key.</summary>
    DuplicateExternalId,

    /// <summary>Another event raised the collecting alert of the same fingerprint at the same moment; the next attempt folds into it.</summary>
    CollectingFingerprintTaken,

    /// <summary>Another unique value is taken (a name, an email, a source, a key prefix): the caller reads which.</summary>
    ValueTaken,
}
