using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>One principal class's token bucket: a steady rate and a burst (the bucket's size). 0 permits = no limit.</summary>
public sealed class BucketOptions
{
    [Range(0, 10_000_000)]
    public int PermitsPerMinute { get; set; }

    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 1;
}

/// <summary>Per-principal request limits (section <c>RateLimiting</c>); the sign-in limit lives beside them.</summary>
public sealed class RequestLimitOptions : IValidatableObject
{
    public const string Section = "RateLimiting";

    /// <summary>Each signed-in user, by user id.</summary>
    public BucketOptions User { get; set; } = new() { PermitsPerMinute = 1200, Burst = 200 };

    /// <summary>Each sensor API key, by key id (requests; events are metered by Ingest:KeyEventsPerSecond).</summary>
    public BucketOptions SensorKey { get; set; } = new() { PermitsPerMinute = 3000, Burst = 500 };

    /// <summary>Each anonymous client, by address (an IPv6 client by its /64).</summary>
    public BucketOptions Anonymous { get; set; } = new() { PermitsPerMinute = 300, Burst = 60 };

    /// <summary>
    /// Each client address presenting an API key, before the key is checked (see <see cref="ApiKeyAddressLimiting"/>):
    /// twice a key's own bucket, so one shipper's keys fit, while made-up keys cannot cost a lookup each unbounded.
    /// </summary>
    public BucketOptions ApiKeyAddress { get; set; } = new() { PermitsPerMinute = 6000, Burst = 1000 };

    /// <summary>Each bucket's own ranges, a failure named by its full key (<c>User__Burst</c> under the section).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, bucket) in new[] { (nameof(User), User), (nameof(SensorKey), SensorKey), (nameof(Anonymous), Anonymous), (nameof(ApiKeyAddress), ApiKeyAddress) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(bucket, new ValidationContext(bucket), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult(result.ErrorMessage, [.. result.MemberNames.Select(member => $"{name}__{member}")]);
            }
        }
    }
}

/// <summary>
/// A token bucket per principal in front of every endpoint: users by user id, sensor keys by key id, anyone else by
/// client address (the proxy-forwarded one when the proxy is trusted, see <see cref="ForwardedHeadersHosting"/>).
/// Runs after authentication so it knows who is asking. Counted per API process. Rejections are 429 problem+json with
/// Retry-After.
/// </summary>
internal static class RequestRateLimiting
{
    public static IServiceCollection AddRequestRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RequestLimitOptions>()
            .Bind(configuration.GetSection(RequestLimitOptions.Section))
            .ValidateSettings(RequestLimitOptions.Section)
            .ValidateOnStart();

        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RequestLimitOptions>>((options, limits) =>
        {
            var value = limits.Value;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var (key, bucket) = Partition(http, value);
                return bucket.PermitsPerMinute <= 0
                    ? RateLimitPartition.GetNoLimiter(key)
                    : RateLimitPartition.GetTokenBucketLimiter(key, _ => Bucket(bucket));
            });
            options.OnRejected = OnRejectedAsync;
        });
        services.AddSingleton<ApiKeyAddressLimiting>();
        return services;
    }

    internal const string KeyPartition = "key:";
    internal const string UserPartition = "user:";

    /// <summary>Who the request counts against, and that principal class's bucket.</summary>
    internal static (string Key, BucketOptions Bucket) Partition(HttpContext http, RequestLimitOptions limits)
    {
        var caller = CallerKey(http);
        return (caller, caller.StartsWith(KeyPartition, StringComparison.Ordinal) ? limits.SensorKey
            : caller.StartsWith(UserPartition, StringComparison.Ordinal) ? limits.User
            : limits.Anonymous);
    }

    /// <summary>Who a request counts against in every per-caller limit: its API key, else its user, else its address (IPv6 by /64).</summary>
    internal static string CallerKey(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated == true)
        {
            if (http.User.ApiKeyId() is { } keyId)
            {
                return KeyPartition + keyId.ToString(CultureInfo.InvariantCulture);
            }

            if (http.User.UserId() is { } userId)
            {
                return UserPartition + userId.ToString(CultureInfo.InvariantCulture);
            }
        }

        return "ip:" + ClientAddress.Group(http.Connection.RemoteIpAddress);
    }

    // Whole seconds between refills (the partitioned limiter refills on a 100 ms heartbeat at best): at 60 a minute or
    // more, a second's worth each second; below that, one token every 60/n seconds.
    internal static TokenBucketRateLimiterOptions Bucket(BucketOptions bucket)
    {
        var perMinute = bucket.PermitsPerMinute;
        var (tokens, period) = perMinute >= 60
            ? ((int)Math.Ceiling(perMinute / 60.0), TimeSpan.FromSeconds(1))
            : (1, TimeSpan.FromSeconds(60.0 / perMinute));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var signIn = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == RateLimits.Auth;
        var who = signIn
            ? "sign-in attempts from this address"
            : Partition(http, http.RequestServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value).Key switch
            {
                var k when k.StartsWith(KeyPartition, StringComparison.Ordinal) => "requests with this API key",
                var k when k.StartsWith(UserPartition, StringComparison.Ordinal) => "requests by this user",
                _ => "requests from this address",
            };
        await WriteTooManyAsync(http, retryAfter, who);
    }

    /// <summary>The 429 problem+json with Retry-After (whole seconds, at least 1) of every request limit.</summary>
    /// <param name="who">What there were too many of: "requests from this address".</param>
    internal static async Task WriteTooManyAsync(HttpContext http, TimeSpan retryAfter, string who)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = ProblemDetailsExceptionHandler.Problem(
                StatusCodes.Status429TooManyRequests,
                "Too many requests",
                $"Too many {who}; retry in {seconds} seconds."),
        });
    }
}
