using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Infrastructure.Caching;

public sealed class ListOptions
{
    public const string Section = "Lists";

    /// <summary>
    /// How long a list filter seen matching more than 10,000 rows answers "10,000, not exact" without counting again,
    /// in seconds (0 = count every time). Exact counts (under the cap, or asked for with exact_count) are never kept.
    /// </summary>
    [Range(0, 300)]
    public int CappedCountSeconds { get; set; } = 5;
}

/// <summary>
/// <see cref="ICappedCounts"/> in this process's memory: a key with the time it stops counting as capped. At most
/// <see cref="MaxEntries"/> keys; past that the expired ones go, and if none had, all of them (the next requests count).
/// </summary>
internal sealed class CappedCounts(ListOptions options, TimeProvider clock) : ICappedCounts
{
    public const int MaxEntries = 4_096;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    public bool IsKnownCapped(string key)
    {
        if (!_until.TryGetValue(key, out var until))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        if (now < until)
        {
            return true;
        }

        // Run out: the caller that moves the time on counts again; the others answer capped meanwhile.
        return !_until.TryUpdate(key, now.AddSeconds(options.CappedCountSeconds), until);
    }

    public void Record(string key, bool capped)
    {
        if (!capped || options.CappedCountSeconds == 0)
        {
            _until.TryRemove(key, out _);
            return;
        }

        var now = clock.GetUtcNow();
        if (_until.Count >= MaxEntries)
        {
            foreach (var (stale, until) in _until)
            {
                if (until <= now)
                {
                    _until.TryRemove(new KeyValuePair<string, DateTimeOffset>(stale, until));
                }
            }

            if (_until.Count >= MaxEntries)
            {
                _until.Clear();
            }
        }

        _until[key] = now.AddSeconds(options.CappedCountSeconds);
    }
}
