using System.Globalization;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Infrastructure.Caching;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>
/// Key lookups by prefix, in this process: an <see cref="InvalidatedCache{TKey, TValue}"/> (trusted only while
/// <see cref="Caching.CacheInvalidationListener"/> holds its LISTEN connection; entries expire after
/// <see cref="TimeToLive"/>) that understands the key notifications' payloads.
/// </summary>
internal sealed class ApiKeyCache(TimeProvider clock)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    private readonly InvalidatedCache<string, ApiKeyCredential> _keys = new(clock, TimeToLive, maxEntries: 100_000);

    public bool IsTrusted => _keys.IsTrusted;

    /// <inheritdoc cref="InvalidatedCache{TKey, TValue}.Generation"/>
    public long Generation => _keys.Generation;

    public bool TryGet(string prefix, out ApiKeyCredential credential) => _keys.TryGet(prefix, out credential);

    /// <inheritdoc cref="InvalidatedCache{TKey, TValue}.Store"/>
    public void Store(string prefix, ApiKeyCredential credential, long generationBeforeRead) =>
        _keys.Store(prefix, credential, generationBeforeRead);

    /// <summary>
    /// Applies one notification: <c>key:&lt;prefix&gt;</c> evicts that key, <c>sensor:&lt;id&gt;</c> every key of the
    /// sensor; anything else clears everything.
    /// </summary>
    public void Evict(string? payload)
    {
        if (payload?.StartsWith(Notifications.KeyPrefix, StringComparison.Ordinal) == true)
        {
            _keys.Evict(payload[Notifications.KeyPrefix.Length..]);
        }
        else if (payload?.StartsWith(Notifications.SensorPrefix, StringComparison.Ordinal) == true
            && long.TryParse(payload[Notifications.SensorPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var sensorId))
        {
            _keys.EvictWhere(credential => credential.SensorId == sensorId);
        }
        else
        {
            _keys.Clear();
        }
    }

    /// <inheritdoc cref="InvalidatedCache{TKey, TValue}.Trust"/>
    public void Trust() => _keys.Trust();

    /// <inheritdoc cref="InvalidatedCache{TKey, TValue}.Distrust"/>
    public void Distrust() => _keys.Distrust();
}

/// <summary>The channel and payloads the database's triggers send (see migration Sensors).</summary>
internal static class Notifications
{
    public const string Channel = "tp_api_keys";
    public const string KeyPrefix = "key:";
    public const string SensorPrefix = "sensor:";
}
