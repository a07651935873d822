using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>
/// A token bucket per client address (an IPv6 client by its /64) for requests that present an API key, counted before
/// the key is checked (<see cref="RequestLimitOptions.ApiKeyAddress"/>): the per-key bucket only counts keys that
/// authenticate, so without this a client sending made-up keys would cost a key lookup per request unbounded. Counted
/// per API process; 429 problem+json with Retry-After.
/// </summary>
internal sealed class ApiKeyAddressLimiting : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public ApiKeyAddressLimiting(IOptions<RequestLimitOptions> options)
    {
        var bucket = options.Value.ApiKeyAddress;
        if (bucket.PermitsPerMinute > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(address =>
                RateLimitPartition.GetTokenBucketLimiter(address, _ => RequestRateLimiting.Bucket(bucket)));
        }
    }

    public void Dispose() => _limiter?.Dispose();

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (_limiter is null || ApiKeyAuthentication.PresentedKey(http.Request) is null)
        {
            await next(http);
            return;
        }

        using var lease = _limiter.AttemptAcquire(ClientAddress.Group(http.Connection.RemoteIpAddress));
        if (lease.IsAcquired)
        {
            await next(http);
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        await RequestRateLimiting.WriteTooManyAsync(http, retryAfter, "requests with API keys from this address");
    }
}

internal static class ApiKeyAddressLimitingHosting
{
    /// <summary>Before authentication, so a key that does not authenticate is counted (and refused) before it is looked up.</summary>
    public static void UseApiKeyAddressLimit(this WebApplication app)
    {
        var limiting = app.Services.GetRequiredService<ApiKeyAddressLimiting>();
        app.Use(limiting.InvokeAsync);
    }
}
