using System.Security.Cryptography;
using System.Text;

namespace ThreatPlatform.Domain.Audit;

/// <summary>
/// The secret the audit chain's hashes and checkpoints are keyed with (HMAC-SHA256). It lives outside the database, so
/// whoever holds the database's credentials can neither forge an entry's hash nor re-hash the chain after an edit.
/// </summary>
public sealed class AuditChainKey
{
    public const int MinimumBytes = 32;

    private readonly byte[] _key;

    private AuditChainKey(byte[] key) => _key = key;

    /// <summary>A key of at least <see cref="MinimumBytes"/> bytes; a shorter one is refused.</summary>
    public static AuditChainKey From(ReadOnlySpan<byte> key) =>
        key.Length >= MinimumBytes
            ? new AuditChainKey(key.ToArray())
            : throw new ArgumentException($"An audit chain key must be at least {MinimumBytes} bytes.", nameof(key));

    /// <summary>A fresh random key of 48 bytes.</summary>
    public static AuditChainKey Random() => new(RandomNumberGenerator.GetBytes(48));

    /// <summary>HMAC-SHA256 of <paramref name="text"/> (UTF-8), lower-case hex.</summary>
    public string Mac(string text) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));

    /// <summary>Compares two hex digests in time that does not depend on where they differ.</summary>
    public static bool SameDigest(string? a, string? b) =>
        a is not null && b is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public override string ToString() => "AuditChainKey(***)";
}
