using System.Collections.Concurrent;
using System.Globalization;
using ThreatPlatform.Application.Sensors.Common;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>
/// Key lookups by prefix, in this process. Trusted only while <see cref="Caching.CacheInvalidationListener"/> holds its LISTEN
/// connection (every change then evicts here); without it every lookup goes to the database. Entries also expire after
/// <see cref="TimeToLive"/>, a bound on staleness should a notification ever be missed.
/// </summary>
internal sealed class ApiKeyCache(TimeProvider clock)
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _generation;
    private volatile bool _trusted;

    public bool IsTrusted => _trusted;

    /// <summary>Bumped by every eviction; a lookup started before one may not store what it read.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string prefix, out ApiKeyCredential credential)
    {
        if (_trusted && _entries.TryGetValue(prefix, out var entry) && clock.GetUtcNow() < entry.ExpiresAt)
        {
            credential = entry.Credential;
            return true;
        }

        credential = null!;
        return false;
    }

    /// <summary>Keeps what a lookup read, unless an eviction happened since it began (it may have read the old row).</summary>
    public void Store(string prefix, ApiKeyCredential credential, long generationBeforeRead)
    {
        lock (_lock)
        {
            if (_trusted && _generation == generationBeforeRead)
            {
                _entries[prefix] = new Entry(credential, clock.GetUtcNow() + TimeToLive);
            }
        }
    }

    /// <summary>
    /// Applies one notification: <c>key:&lt;prefix&gt;</c> evicts that key, <c>sensor:&lt;id&gt;</c> every key of the
    /// sensor; anything else clears everything.
    /// </summary>
    public void Evict(string? payload)
    {
        lock (_lock)
        {
            _generation++;
            if (payload?.StartsWith(Notifications.KeyPrefix, StringComparison.Ordinal) == true)
            {
                _entries.TryRemove(payload[Notifications.KeyPrefix.Length..], out _);
            }
            else if (payload?.StartsWith(Notifications.SensorPrefix, StringComparison.Ordinal) == true
                && long.TryParse(payload[Notifications.SensorPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var sensorId))
            {
                foreach (var (prefix, entry) in _entries)
                {
                    if (entry.Credential.SensorId == sensorId)
                    {
                        _entries.TryRemove(prefix, out _);
                    }
                }
            }
            else
            {
                _entries.Clear();
            }
        }
    }

    /// <summary>The listener is (back) on: start from empty, since notifications may have been missed while it was off.</summary>
    public void Trust()
    {
        lock (_lock)
        {
            _generation++;
            _entries.Clear();
            _trusted = true;
        }
    }

    /// <summary>The listener is off: nothing here may be believed until it is back.</summary>
    public void Distrust()
    {
        lock (_lock)
        {
            _trusted = false;
            _generation++;
            _entries.Clear();
        }
    }

    private sealed record Entry(ApiKeyCredential Credential, DateTimeOffset ExpiresAt);
}

/// <summary>The channel and payloads the database's triggers send (see migration Sensors).</summary>
internal static class Notifications
{
    public const string Channel = "tp_api_keys";
    public const string KeyPrefix = "key:";
    public const string SensorPrefix = "sensor:";
}
