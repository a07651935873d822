using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>
/// Key lookups by prefix, in this process: an <see cref="InvalidatedCache{TKey, TValue}"/> (trusted only while
/// <see cref="CacheInvalidationListener"/> holds its LISTEN connection, on <see cref="NotifyChannels.ApiKeys"/>; entries expire after
/// <see cref="TimeToLive"/>) that understands the key notifications' payloads. Prefixes the database does not know are
/// remembered too, for <see cref="UnknownTimeToLive"/> and at most <see cref="MaxUnknown"/> of them: a client repeating
/// an unknown key costs one query, not one per request. (A new key's prefix is random and unseen until it is shown,
/// so remembering a miss never hides a key created after it.)
/// </summary>
internal sealed class ApiKeyCache(TimeProvider clock) : ICacheSubscriber
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan UnknownTimeToLive = TimeSpan.FromSeconds(30);
    public const int MaxUnknown = 10_000;

    private readonly InvalidatedCache<string, ApiKeyCredential> _keys = new(clock, TimeToLive, maxEntries: 100_000);
    private readonly InvalidatedCache<string, bool> _unknown = new(clock, UnknownTimeToLive, maxEntries: MaxUnknown);

    public bool IsTrusted => _keys.IsTrusted;

    /// <summary>Read before the database, pass to <see cref="Store"/> or <see cref="StoreUnknown"/> (see <see cref="InvalidatedCache{TKey, TValue}.Generation"/>).</summary>
    public (long Keys, long Unknown) Generation => (_keys.Generation, _unknown.Generation);

    public bool TryGet(string prefix, out ApiKeyCredential credential) => _keys.TryGet(prefix, out credential);

    /// <summary>True when the database recently had no key with this prefix.</summary>
    public bool IsUnknown(string prefix) => _unknown.TryGet(prefix, out _);

    /// <inheritdoc cref="InvalidatedCache{TKey, TValue}.Store"/>
    public void Store(string prefix, ApiKeyCredential credential, (long Keys, long Unknown) generationBeforeRead) =>
        _keys.Store(prefix, credential, generationBeforeRead.Keys);

    /// <summary>Remembers that the database has no key with this prefix (unless an eviction came in since the read).</summary>
    public void StoreUnknown(string prefix, (long Keys, long Unknown) generationBeforeRead) =>
        _unknown.Store(prefix, true, generationBeforeRead.Unknown);

    public string Channel => NotifyChannels.ApiKeys;

    /// <summary>A sensor changed or deleted evicts its keys; a key changed or deleted, that key.</summary>
    public string? PayloadOf(object entity, EntityState state) =>
        state is not (EntityState.Modified or EntityState.Deleted) ? null
        : entity switch
        {
            Sensor sensor => NotifyChannels.SensorPayloadPrefix + sensor.Id.ToString(CultureInfo.InvariantCulture),
            ApiKey key => NotifyChannels.KeyPayloadPrefix + key.Prefix,
            _ => null,
        };

    public void Apply(string payload) => Evict(payload);

    /// <summary>
    /// Applies one notification: <c>key:&lt;prefix&gt;</c> evicts that key, <c>sensor:&lt;id&gt;</c> every key of the
    /// sensor; anything else clears everything.
    /// </summary>
    public void Evict(string? payload)
    {
        if (payload?.StartsWith(NotifyChannels.KeyPayloadPrefix, StringComparison.Ordinal) == true)
        {
            _keys.Evict(payload[NotifyChannels.KeyPayloadPrefix.Length..]);
            _unknown.Evict(payload[NotifyChannels.KeyPayloadPrefix.Length..]);
        }
        else if (payload?.StartsWith(NotifyChannels.SensorPayloadPrefix, StringComparison.Ordinal) == true
            && long.TryParse(payload[NotifyChannels.SensorPayloadPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var sensorId))
        {
            _keys.EvictWhere(credential => credential.SensorId == sensorId);
        }
        else
        {
            _keys.Clear();
            _unknown.Clear();
        }
    }

    /// <inheritdoc cref="InvalidatedCache{TKey, TValue}.Trust"/>
    public void Trust()
    {
        _keys.Trust();
        _unknown.Trust();
    }

    /// <inheritdoc cref="InvalidatedCache{TKey, TValue}.Distrust"/>
    public void Distrust()
    {
        _keys.Distrust();
        _unknown.Distrust();
    }
}
