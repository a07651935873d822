using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.WebApi.Auth;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>Settings of the per-process bounds on batch ingest requests (section <c>RateLimiting</c>).</summary>
public sealed class BatchConcurrencyOptions
{
    /// <summary>Batches one API process works on at once (parsing, validating, writing); the next is a 429.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentBatches { get; set; } = 4;

    /// <summary>Batch requests one caller (an API key, or a user) has in progress at once, uploads included; the next is a 429.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentBatchesPerCaller { get; set; } = 2;

    /// <summary>
    /// The share of <see cref="MaxConcurrentBatches"/> (in percent, rounded down to whole slots) only sensor API keys may
    /// take: user tokens together hold at most the rest, so people and scripts cannot starve the sensors.
    /// </summary>
    [Range(0, 100)]
    public int SensorKeyReservedBatchPercent { get; set; } = 50;

    /// <summary>How long a batch body may take to arrive in full; past it the request is a 408.</summary>
    [Range(1, 3_600)]
    public int BatchUploadTimeoutSeconds { get; set; } = 30;

    /// <summary>The slots sensor keys may take that users may not.</summary>
    public int ReservedForSensorKeys => MaxConcurrentBatches * SensorKeyReservedBatchPercent / 100;

    /// <summary>The slots users' batches may hold together.</summary>
    public int UserSlots => MaxConcurrentBatches - ReservedForSensorKeys;
}

/// <summary>
/// Bounds the batch requests in progress, in two places. A caller (an API key by key id, a user by user id) holds a
/// caller slot from the moment its request arrives until it is answered, upload included: one caller's batches (and
/// the bodies being buffered for them) stay few. A process slot is taken only once the whole body has arrived (see
/// <see cref="Events.BatchBodyReader"/>), so a slow upload holds none of the process's few; sensor keys may take any free
/// process slot, users only the part not reserved for keys. Over any bound the request is refused at once with a 429 and
/// Retry-After (a shipper retries), rather than queued, so memory and connections stay bounded under a flood.
/// </summary>
internal sealed class BatchConcurrency(BatchConcurrencyOptions options)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _byCaller = new(StringComparer.Ordinal);
    private int _inProgress;
    private int _usersInProgress;

    public BatchConcurrencyOptions Options => options;

    /// <summary>Process slots held (batches being worked on).</summary>
    public int InProgress
    {
        get
        {
            lock (_lock)
            {
                return _inProgress;
            }
        }
    }

    /// <summary>Caller slots held (batch requests between arrival and answer, uploads included).</summary>
    public int Requests
    {
        get
        {
            lock (_lock)
            {
                return _byCaller.Values.Sum();
            }
        }
    }

    /// <summary>Takes one of the caller's slots until the returned lease is disposed; throws (429) when the caller has none left.</summary>
    public IDisposable EnterCaller(string caller)
    {
        lock (_lock)
        {
            var held = _byCaller.GetValueOrDefault(caller);
            if (held >= options.MaxConcurrentBatchesPerCaller)
            {
                throw new RateLimitExceededException(
                    RetryAfter,
                    $"This caller already has {options.MaxConcurrentBatchesPerCaller} batches in progress; wait for their answers.");
            }

            _byCaller[caller] = held + 1;
        }

        return new Lease(() =>
        {
            lock (_lock)
            {
                var left = _byCaller[caller] - 1;
                if (left == 0)
                {
                    _byCaller.Remove(caller);
                }
                else
                {
                    _byCaller[caller] = left;
                }
            }
        });
    }

    /// <summary>Takes a process slot until the returned lease is disposed; throws (429) when none is free for this kind of caller.</summary>
    public IDisposable EnterProcess(bool sensorKey)
    {
        lock (_lock)
        {
            if (_inProgress >= options.MaxConcurrentBatches)
            {
                throw new RateLimitExceededException(
                    RetryAfter,
                    $"This server is already working on {options.MaxConcurrentBatches} batches; retry in a second.");
            }

            if (!sensorKey && _usersInProgress >= options.UserSlots)
            {
                throw new RateLimitExceededException(
                    RetryAfter,
                    $"This server is already working on {options.UserSlots} batches sent with user tokens (the rest is kept for sensors' API keys); retry in a second.");
            }

            _inProgress++;
            if (!sensorKey)
            {
                _usersInProgress++;
            }
        }

        Operations.ApiMetrics.BatchesInProgress.Inc();
        return new Lease(() =>
        {
            Operations.ApiMetrics.BatchesInProgress.Dec();
            lock (_lock)
            {
                _inProgress--;
                if (!sensorKey)
                {
                    _usersInProgress--;
                }
            }
        });
    }

    /// <summary>Runs its release once, however often it is disposed.</summary>
    private sealed class Lease(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }
}

internal static class BatchConcurrencyHosting
{
    public static IServiceCollection AddBatchConcurrency(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BatchConcurrencyOptions>()
            .Bind(configuration.GetSection(RequestLimitOptions.Section))
            .ValidateSettings(RequestLimitOptions.Section)
            .ValidateOnStart();
        services.AddSingleton(sp => new BatchConcurrency(sp.GetRequiredService<IOptions<BatchConcurrencyOptions>>().Value));
        return services;
    }

    /// <summary>The request holds one of its caller's batch slots from arrival to answer (the process slot comes later, see the endpoint).</summary>
    public static RouteHandlerBuilder WithBatchConcurrencyLimit(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var slots = context.HttpContext.RequestServices.GetRequiredService<BatchConcurrency>();
            using var lease = slots.EnterCaller(RequestRateLimiting.CallerKey(context.HttpContext));
            return await next(context);
        });
}
