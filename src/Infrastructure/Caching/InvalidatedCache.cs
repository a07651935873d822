using System.Collections.Concurrent;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// An in-process cache of database rows that is believed only while this process LISTENs for their changes
/// (<see cref="CacheInvalidationListener"/>): each notification evicts what it names, and while the listener is down
/// nothing is served from here. A lookup that began before an eviction may not store what it read (it may be the old
/// row). Entries also expire after a time to live, a bound on staleness should a notification ever be missed, and the
/// cache empties itself rather than grow past its size bound.
/// </summary>
internal sealed class InvalidatedCache<TKey, TValue>(TimeProvider clock, TimeSpan timeToLive, int maxEntries)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly Lock _lock = new();
    private long _generation;
    private volatile bool _trusted;

    public bool IsTrusted => _trusted;

    /// <summary>Bumped by every eviction; read it before the database, pass it to <see cref="Store"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public int Count => _entries.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_trusted && _entries.TryGetValue(key, out var entry) && clock.GetUtcNow() < entry.ExpiresAt)
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Store(TKey key, TValue value, long generationBeforeRead)
    {
        lock (_lock)
        {
            if (!_trusted || _generation != generationBeforeRead)
            {
                return;
            }

            if (_entries.Count >= maxEntries)
            {
                _entries.Clear();
            }

            _entries[key] = new Entry(value, clock.GetUtcNow() + timeToLive);
        }
    }

    public void Evict(TKey key)
    {
        lock (_lock)
        {
            _generation++;
            _entries.TryRemove(key, out _);
        }
    }

    /// <summary>Evicts every entry whose value matches (a sensor's keys when the sensor changes).</summary>
    public void EvictWhere(Func<TValue, bool> match)
    {
        lock (_lock)
        {
            _generation++;
            foreach (var (key, entry) in _entries)
            {
                if (match(entry.Value))
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _generation++;
            _entries.Clear();
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

    private sealed record Entry(TValue Value, DateTimeOffset ExpiresAt);
}
