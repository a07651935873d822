using System.ComponentModel.DataAnnotations;
using ThreatPlatform.Application.Common.Exceptions;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>Settings of the per-process bound on batch ingest requests in progress (section <c>RateLimiting</c>).</summary>
public sealed class BatchConcurrencyOptions
{
    /// <summary>Batch requests one API process works on at once; the next is a 429 (a batch holds up to 10 MiB and a connection).</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentBatches { get; set; } = 4;
}

/// <summary>
/// Bounds the batch requests in progress in this process: a request over the bound is refused at once with a 429 and
/// Retry-After (a shipper retries), rather than queued, so memory and connections stay bounded under a flood.
/// </summary>
internal sealed class BatchConcurrency(BatchConcurrencyOptions options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentBatches, options.MaxConcurrentBatches);

    public int InProgress => options.MaxConcurrentBatches - _slots.CurrentCount;

    public void Dispose() => _slots.Dispose();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!_slots.Wait(0))
        {
            throw new RateLimitExceededException(
                TimeSpan.FromSeconds(1),
                $"This server is already working on {options.MaxConcurrentBatches} batches; retry in a second.");
        }

        Operations.ApiMetrics.BatchesInProgress.Inc();
        try
        {
            return await next(context);
        }
        finally
        {
            Operations.ApiMetrics.BatchesInProgress.Dec();
            _slots.Release();
        }
    }
}

internal static class BatchConcurrencyHosting
{
    public static IServiceCollection AddBatchConcurrency(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BatchConcurrencyOptions>()
            .Bind(configuration.GetSection(RequestLimitOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => new BatchConcurrency(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<BatchConcurrencyOptions>>().Value));
        return services;
    }

    /// <summary>The endpoint takes a slot of the process's batch bound for as long as it runs.</summary>
    public static RouteHandlerBuilder WithBatchConcurrencyLimit(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter((context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<BatchConcurrency>().InvokeAsync(context, next));
}
