namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>What authenticating a key needs to know about it, as stored (revocation and the sensor's state included).</summary>
public sealed record ApiKeyCredential(
    long KeyId,
    long SensorId,
    byte[] SecretHash,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    bool SensorIsActive,
    bool SensorGroups);

/// <summary>
/// Key lookups for authentication. Infrastructure answers from a per-process cache kept honest by PostgreSQL
/// LISTEN/NOTIFY, so a request does not cost a database round trip, yet a revocation holds everywhere within seconds.
/// </summary>
public interface IApiKeyCredentials
{
    /// <summary>The key with this prefix, or null when there is none.</summary>
    ValueTask<ApiKeyCredential?> FindAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Records a use; writes last_used_at at most once per <c>ApiKey.LastUsedResolution</c> per key.</summary>
    ValueTask MarkUsedAsync(long keyId, DateTimeOffset at, CancellationToken cancellationToken);
}
