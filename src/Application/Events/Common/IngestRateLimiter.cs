using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using ThreatPlatform.Application.Common.Exceptions;

namespace ThreatPlatform.Application.Events.Common;

/// <summary>Ingest settings (section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";
    public const int DefaultKeyEventsPerSecond = 1000;

    /// <summary>Events a second one API key may ingest, per API process; 0 turns the limit off.</summary>
    [Range(0, int.MaxValue)]
    public int KeyEventsPerSecond { get; set; } = DefaultKeyEventsPerSecond;
}

/// <summary>Takes one permit per event from an API key's allowance before anything is stored.</summary>
public interface IIngestRateLimiter
{
    /// <summary>Throws <see cref="RateLimitExceededException"/> when the key's allowance cannot cover <paramref name="events"/> now.</summary>
    void Acquire(long apiKeyId, int events);
}

/// <summary>
/// A token bucket per key holding one second's worth of events. A request needs a full bucket's worth at most, so a
/// batch larger than a second's allowance still passes once the bucket is full, and the debt it leaves holds the key's
/// next requests back until it is paid: over time a key gets its rate, whatever its batch sizes. Counted per process
/// (each replica grants the rate): enough to stop one runaway sensor, without a shared store on the ingest path.
/// </summary>
public sealed class KeyIngestRateLimiter(IngestOptions options, TimeProvider clock) : IIngestRateLimiter
{
    private readonly ConcurrentDictionary<long, Bucket> _buckets = new();

    public void Acquire(long apiKeyId, int events)
    {
        var rate = options.KeyEventsPerSecond;
        if (rate <= 0 || events <= 0)
        {
            return;
        }

        var now = clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(apiKeyId, _ => new Bucket(rate, now));
        var wait = bucket.TryTake(events, rate, now, clock);
        if (wait > TimeSpan.Zero)
        {
            throw new RateLimitExceededException(wait, $"This API key may ingest {rate} events a second; retry later.");
        }
    }

    private sealed class Bucket(double tokens, long refilledAt)
    {
        private readonly Lock _lock = new();
        private double _tokens = tokens;
        private long _refilledAt = refilledAt;

        /// <summary>Zero when taken, else how long until the request would pass.</summary>
        public TimeSpan TryTake(int events, int rate, long now, TimeProvider clock)
        {
            lock (_lock)
            {
                _tokens = Math.Min(rate, _tokens + (clock.GetElapsedTime(_refilledAt, now).TotalSeconds * rate));
                _refilledAt = now;
                var needed = Math.Min(events, rate);
                if (_tokens >= needed)
                {
                    _tokens -= events;
                    return TimeSpan.Zero;
                }

                return TimeSpan.FromSeconds((needed - _tokens) / rate);
            }
        }
    }
}
