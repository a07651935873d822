namespace ThreatPlatform.Domain.Sensors;

/// <summary>
/// A sensor's credential, <c>tp_&lt;prefix&gt;_&lt;secret&gt;</c>. Only the secret's hash is stored; the prefix finds the
/// key. Revocation is final; a sensor may hold several active keys (to rotate without downtime).
/// </summary>
public sealed class ApiKey
{
    public const int NameMaxLength = 100;
    public const int PrefixLength = 12;
    public const int HashLength = 32;

    /// <summary>last_used_at is written at most this often per key: it is a hint for admins, not an audit log.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private ApiKey()
    {
        Name = null!;
        Prefix = null!;
        SecretHash = null!;
    }

    public long Id { get; private set; }
    public long SensorId { get; private set; }
    public string Name { get; private set; }
    public string Prefix { get; private set; }
    public byte[] SecretHash { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public static ApiKey Issue(long sensorId, string? name, string prefix, byte[] secretHash, DateTimeOffset? expiresAt, DateTimeOffset at) => new()
    {
        SensorId = sensorId,
        Name = name?.Trim() ?? string.Empty,
        Prefix = prefix,
        SecretHash = secretHash,
        CreatedAt = at,
        ExpiresAt = expiresAt,
    };

    /// <summary>Stops the key for good; revoking a revoked key changes nothing (the first revocation time stays).</summary>
    public void Revoke(DateTimeOffset at) => RevokedAt ??= at;

    /// <summary>True when the key itself (not its sensor) may authenticate at <paramref name="at"/>.</summary>
    public static bool IsUsable(DateTimeOffset? revokedAt, DateTimeOffset? expiresAt, DateTimeOffset at) =>
        revokedAt is null && (expiresAt is null || expiresAt > at);
}
