using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Application.Events.Common;

/// <summary>Ingest settings (section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";
    public const int DefaultKeyEventsPerSecond = 1000;
    public const int DefaultUserEventsPerSecond = 200;

    /// <summary>Events a second one API key may ingest, per API process; 0 turns the limit off.</summary>
    [Range(0, int.MaxValue)]
    public int KeyEventsPerSecond { get; set; } = DefaultKeyEventsPerSecond;

    /// <summary>Events a second one user (by user id) may ingest with their token, per API process; 0 turns the limit off.</summary>
    [Range(0, int.MaxValue)]
    public int UserEventsPerSecond { get; set; } = DefaultUserEventsPerSecond;
}

/// <summary>Who pays for ingested events: a sensor's API key, or a user by user id. Each has an allowance of its own.</summary>
public readonly record struct IngestPrincipal(bool IsApiKey, long Id)
{
    public static IngestPrincipal ApiKey(long keyId) => new(true, keyId);

    public static IngestPrincipal User(long userId) => new(false, userId);

    /// <summary>The caller's key, else the caller's user; null for neither (ingest always has one).</summary>
    public static IngestPrincipal? Of(ICurrentUser caller) =>
        caller.ApiKeyId is { } keyId ? ApiKey(keyId)
        : caller.Id is { } userId ? User(userId)
        : null;
}

/// <summary>Takes one permit per event from the caller's allowance (API key or user) before anything is stored.</summary>
public interface IIngestRateLimiter
{
    /// <summary>Throws <see cref="RateLimitExceededException"/> when the allowance cannot cover <paramref name="events"/> now.</summary>
    void Acquire(IngestPrincipal principal, int events);
}

/// <summary>
/// A token bucket per API key and per user, each holding one second's worth of events (Ingest:KeyEventsPerSecond,
/// Ingest:UserEventsPerSecond). A request needs a full bucket's worth at most, so a batch larger than a second's
/// allowance still passes once the bucket is full, and the debt it leaves holds the caller's next requests back until it
/// is paid: over time a caller gets its rate, whatever its batch sizes. Counted per process (each replica grants the
/// rate): enough to stop one runaway sensor or script, without a shared store on the ingest path.
/// </summary>
public sealed class IngestRateLimiter(IngestOptions options, TimeProvider clock) : IIngestRateLimiter
{
    private readonly ConcurrentDictionary<IngestPrincipal, Bucket> _buckets = new();

    public void Acquire(IngestPrincipal principal, int events)
    {
        var rate = principal.IsApiKey ? options.KeyEventsPerSecond : options.UserEventsPerSecond;
        if (rate <= 0 || events <= 0)
        {
            return;
        }

        var now = clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(principal, _ => new Bucket(rate, now));
        var wait = bucket.TryTake(events, rate, now, clock);
        if (wait > TimeSpan.Zero)
        {
            throw new RateLimitExceededException(
                wait,
                $"This {(principal.IsApiKey ? "API key" : "user")} may ingest {rate} events a second; retry later.");
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
