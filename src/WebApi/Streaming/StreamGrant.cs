using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Alerts.StreamAlerts;
using ThreatPlatform.Application.Common.Exceptions;

namespace ThreatPlatform.WebApi.Streaming;

/// <summary>
/// Who holds one open alert stream and for how long: the user, when their token was issued (a sign-out everywhere or a
/// deactivation after it ends the stream at the next heartbeat) and when it expires (the stream ends then; the client
/// resumes with Last-Event-ID and a fresh token). Disposing it gives the user's stream slot back.
/// </summary>
internal sealed class StreamGrant(long userId, DateTimeOffset issuedAt, DateTimeOffset expiresAt, Action release) : IDisposable
{
    private int _released;

    public long UserId { get; } = userId;

    public DateTimeOffset IssuedAt { get; } = issuedAt;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }
    }
}

/// <summary>
/// Bounds the streams each user holds open on this process (AlertStream:MaxStreamsPerUser): each holds a connection and
/// a feed subscription, so one account (or a stolen token) cannot tie up the process with thousands of them.
/// </summary>
internal sealed class StreamSlots(IOptions<AlertStreamOptions> options)
{
    private readonly ConcurrentDictionary<long, int> _open = new();

    public int OpenFor(long userId) => _open.TryGetValue(userId, out var count) ? count : 0;

    /// <summary>Takes one of the user's slots, or throws the 429 when they hold them all.</summary>
    public StreamGrant Take(long userId, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var max = options.Value.MaxStreamsPerUser;
        while (true)
        {
            var current = OpenFor(userId);
            if (current >= max)
            {
                throw new RateLimitExceededException(
                    TimeSpan.FromSeconds(options.Value.HeartbeatSeconds),
                    $"This user already has {max} alert streams open; close one or retry later.");
            }

            if (current == 0 ? _open.TryAdd(userId, 1) : _open.TryUpdate(userId, current + 1, current))
            {
                return new StreamGrant(userId, issuedAt, expiresAt, () => Release(userId));
            }
        }
    }

    private void Release(long userId)
    {
        while (true)
        {
            var current = OpenFor(userId);
            if (current == 0)
            {
                return;
            }

            if (current == 1
                ? _open.TryRemove(new KeyValuePair<long, int>(userId, current))
                : _open.TryUpdate(userId, current - 1, current))
            {
                return;
            }
        }
    }
}
