using System.Globalization;

namespace ThreatPlatform.Domain.Audit;

/// <summary>
/// The head of the audit chain (entry <see cref="Id"/> with <see cref="Hash"/>) at <see cref="At"/>, signed with the
/// chain key (<see cref="Mac"/>), and published outside the database: whoever can rewrite the table cannot make a table
/// that ends before <see cref="Id"/>, or holds another hash there, look intact.
/// </summary>
public sealed record AuditCheckpoint(long Id, string Hash, DateTimeOffset At, string Mac)
{
    /// <summary>The head as the chain key signs it.</summary>
    public static AuditCheckpoint Sign(long id, string hash, DateTimeOffset at, AuditChainKey key)
    {
        var utc = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
        return new AuditCheckpoint(id, hash, utc, key.Mac(SignedText(id, hash, utc)));
    }

    /// <summary>True when <see cref="Mac"/> is what <paramref name="key"/> makes of the other fields.</summary>
    public bool IsSignedBy(AuditChainKey key) => AuditChainKey.SameDigest(Mac, key.Mac(SignedText(Id, Hash, At)));

    // A stored format: checkpoints written by one version must verify on the next.
    private static string SignedText(long id, string hash, DateTimeOffset at) => string.Create(
        CultureInfo.InvariantCulture,
        $"tp-audit-checkpoint-v1|{id}|{hash}|{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}");
}
