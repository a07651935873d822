namespace ThreatPlatform.Domain.Audit;

/// <summary>What is wrong with the stored chain, and where.</summary>
public enum AuditChainFaultKind
{
    /// <summary>The entry does not name the hash of the entry before it: an entry before it was deleted (or it was edited).</summary>
    Gap,

    /// <summary>The entry's hash is not what its fields give under the key: it was edited, or re-hashed without the key.</summary>
    Edited,

    /// <summary>An entry claims the unkeyed SHA-256 rule after the chain was keyed, which no writer does any more.</summary>
    UnkeyedAfterKeyed,

    /// <summary>The entry names a way of hashing this version does not know.</summary>
    UnknownVersion,

    /// <summary>The entry at the checkpoint's id has another hash than the checkpoint names, or is not there: the chain was rewritten.</summary>
    CheckpointMismatch,

    /// <summary>The table ends before (or skips) the entry the checkpoint names: entries were deleted.</summary>
    Truncated,
}

/// <summary>
/// A fault found by <see cref="AuditChainWalk"/>: <see cref="EntryId"/> is the first bad entry (for a truncation, the
/// first missing one); <see cref="StoredHash"/> the hash the table holds at the checkpoint's id (null: no such entry);
/// <see cref="TableEnd"/> the last intact id read (0 for none).
/// </summary>
public sealed record AuditChainFault(AuditChainFaultKind Kind, long EntryId, AuditCheckpoint? Checkpoint = null, string? StoredHash = null, long TableEnd = 0);

/// <summary>
/// Checks the stored chain, oldest entry first: each entry names its predecessor's hash and holds its own, entries hashed
/// with the unkeyed rule come only before the first keyed one (so the first keyed entry, whose HMAC covers its
/// predecessor's hash, pins everything before it), and the chain reaches <paramref name="checkpoint"/>'s entry with the
/// hash it names. Feed every entry to <see cref="Next"/>, then call <see cref="End"/>.
/// </summary>
public sealed class AuditChainWalk(AuditChainKey key, AuditCheckpoint? checkpoint)
{
    private string _previous = AuditEntry.GenesisHash;
    private bool _keyed;
    private bool _reachedCheckpoint;
    private long _lastId;

    public long Checked { get; private set; }

    /// <summary>The first fault <paramref name="entry"/> shows, or null when it is intact and in place.</summary>
    public AuditChainFault? Next(AuditEntry entry)
    {
        Checked++;
        var fault = FaultOf(entry);
        if (fault is not null)
        {
            return fault;
        }

        if (checkpoint is not null && !_reachedCheckpoint && entry.Id > checkpoint.Id)
        {
            // An intact chain that skips the checkpoint's id: the entry it names is not there.
            return new AuditChainFault(AuditChainFaultKind.CheckpointMismatch, checkpoint.Id, checkpoint, TableEnd: _lastId);
        }

        _lastId = entry.Id;

        if (checkpoint is not null && entry.Id == checkpoint.Id)
        {
            _reachedCheckpoint = true;
            if (!AuditChainKey.SameDigest(entry.Hash, checkpoint.Hash))
            {
                return new AuditChainFault(AuditChainFaultKind.CheckpointMismatch, entry.Id, checkpoint, entry.Hash, entry.Id);
            }
        }

        _keyed |= entry.ChainVersion == AuditChainVersion.HmacSha256;
        _previous = entry.Hash;
        return null;
    }

    /// <summary>After the last entry: a fault when the table ends before the checkpoint's entry.</summary>
    public AuditChainFault? End() =>
        checkpoint is not null && !_reachedCheckpoint
            ? new AuditChainFault(AuditChainFaultKind.Truncated, _lastId + 1, checkpoint, TableEnd: _lastId)
            : null;

    private AuditChainFault? FaultOf(AuditEntry entry)
    {
        if (!Enum.IsDefined(entry.ChainVersion))
        {
            return new AuditChainFault(AuditChainFaultKind.UnknownVersion, entry.Id);
        }

        if (_keyed && entry.ChainVersion != AuditChainVersion.HmacSha256)
        {
            return new AuditChainFault(AuditChainFaultKind.UnkeyedAfterKeyed, entry.Id);
        }

        if (!entry.Follows(_previous))
        {
            return new AuditChainFault(AuditChainFaultKind.Gap, entry.Id);
        }

        return entry.IsUnaltered(key) ? null : new AuditChainFault(AuditChainFaultKind.Edited, entry.Id);
    }
}
