using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ThreatPlatform.Domain.Audit;

/// <summary>What a security audit entry records. The numbers are stored and hashed: never renumber one.</summary>
public enum AuditAction : short
{
    LoginSucceeded = 1,
    LoginFailed = 2,
    LoginThrottled = 3,
    RefreshTokenReused = 4,
    LogoutAll = 5,
    UserRoleChanged = 6,
    UserActivationChanged = 7,
    UserApproved = 8,
    SensorCreated = 9,
    SensorUpdated = 10,
    ApiKeyCreated = 11,
    ApiKeyRevoked = 12,
    AlertStatusChanged = 13,
    UserRegistered = 14,
    AdminCreated = 15,
    SensorSourcesClaimed = 20,
    DetectionRuleCreated = 21,
    DetectionRuleUpdated = 22,
    DetectionRuleDeleted = 23,
}

/// <summary>How an entry's hash is made. Stored with the entry and hashed with it: never renumber one.</summary>
public enum AuditChainVersion : short
{
    /// <summary>Plain SHA-256 (entries written before the chain was keyed): anyone can recompute it.</summary>
    Sha256 = 1,

    /// <summary>HMAC-SHA256 with the <see cref="AuditChainKey"/>: only a holder of the key can.</summary>
    HmacSha256 = 2,
}

/// <summary>
/// One entry of the security audit log (ASVS V16): who did what to what, from where, when. Entries form a hash chain:
/// <see cref="Hash"/> is the HMAC-SHA256, under a key kept outside the database, of the entry's fields and
/// <see cref="PreviousHash"/>, the hash of the entry before it, so editing or deleting a stored entry breaks the chain
/// at that point and only a holder of the key could re-hash what follows. Entries written before the chain was keyed
/// keep their plain SHA-256 (<see cref="AuditChainVersion.Sha256"/>). Append-only.
/// </summary>
public sealed class AuditEntry
{
    public const int ActorMaxLength = 160;
    public const int AddressMaxLength = 45;
    public const int TargetMaxLength = 200;
    public const int DetailMaxLength = 1_000;
    public const int HashLength = 64;

    /// <summary>What the first entry chains to.</summary>
    public static readonly string GenesisHash = new('0', HashLength);

    private AuditEntry()
    {
        PreviousHash = GenesisHash;
        Hash = GenesisHash;
    }

    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }

    /// <summary>The user who acted (null for a sensor, an anonymous caller or the system).</summary>
    public long? ActorId { get; private set; }

    /// <summary>The actor as text: a username (also one tried at login), <c>sensor:ID</c>, or null.</summary>
    public string? Actor { get; private set; }
    public string? ClientAddress { get; private set; }
    public AuditAction Action { get; private set; }

    /// <summary>What was acted on: <c>user:ID</c>, <c>sensor:ID</c>, <c>api_key:ID</c>, <c>alert:ID</c>.</summary>
    public string? Target { get; private set; }
    public string? Detail { get; private set; }
    public string PreviousHash { get; private set; }
    public string Hash { get; private set; }

    /// <summary>How <see cref="Hash"/> is made: every new entry is keyed.</summary>
    public AuditChainVersion ChainVersion { get; private set; } = AuditChainVersion.HmacSha256;

    /// <summary>A new entry, not yet in the chain: <see cref="Seal"/> gives it its place.</summary>
    public static AuditEntry Record(
        AuditAction action, DateTimeOffset at, long? actorId, string? actor, string? clientAddress, string? target, string? detail) => new()
    {
        Action = action,
        // PostgreSQL keeps microseconds: hash what is stored, so verification recomputes the same text.
        At = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero),
        ActorId = actorId,
        Actor = Clip(actor, ActorMaxLength),
        ClientAddress = Clip(clientAddress, AddressMaxLength),
        Target = Clip(target, TargetMaxLength),
        Detail = Clip(detail, DetailMaxLength),
    };

    /// <summary>Places the entry after the one whose hash is <paramref name="previousHash"/>, as number <paramref name="id"/>.</summary>
    public void Seal(long id, string previousHash, AuditChainKey key)
    {
        Id = id;
        PreviousHash = previousHash;
        Hash = ComputeHash(previousHash, key);
    }

    /// <summary>True when the entry names <paramref name="previousHash"/> as its predecessor's hash.</summary>
    public bool Follows(string previousHash) => AuditChainKey.SameDigest(PreviousHash, previousHash);

    /// <summary>True when the stored hash is what the entry's fields and stored previous hash give (constant-time).</summary>
    public bool IsUnaltered(AuditChainKey key) => AuditChainKey.SameDigest(Hash, ComputeHash(PreviousHash, key));

    /// <summary>True when the entry is unchanged and follows the entry whose hash is <paramref name="previousHash"/>.</summary>
    public bool FollowsIntact(string previousHash, AuditChainKey key) => Follows(previousHash) && IsUnaltered(key);

    /// <summary>
    /// Lower-case hex over a versioned canonical text of every field: each value length-prefixed, so no choice of field
    /// contents can make two different entries read the same. <see cref="AuditChainVersion.HmacSha256"/>: HMAC-SHA256
    /// with <paramref name="key"/> over <c>tp-audit-v2…</c>; <see cref="AuditChainVersion.Sha256"/> (entries written
    /// before the chain was keyed): SHA-256 over <c>tp-audit-v1…</c>, the key unused.
    /// </summary>
    public string ComputeHash(string previousHash, AuditChainKey key)
    {
        var keyed = ChainVersion == AuditChainVersion.HmacSha256;
        var text = new StringBuilder(keyed ? "tp-audit-v2" : "tp-audit-v1");
        Append(text, Id.ToString(CultureInfo.InvariantCulture));
        Append(text, At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        Append(text, ActorId?.ToString(CultureInfo.InvariantCulture));
        Append(text, Actor);
        Append(text, ClientAddress);
        Append(text, ((short)Action).ToString(CultureInfo.InvariantCulture));
        Append(text, Target);
        Append(text, Detail);
        Append(text, previousHash);
        return keyed
            ? key.Mac(text.ToString())
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Append(StringBuilder text, string? value) =>
        text.Append('|').Append(value is null ? "-" : value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);

    private static string? Clip(string? value, int maxLength) =>
        value is null ? null : value.Length <= maxLength ? value : value[..maxLength];
}
