using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ThreatPlatform.Infrastructure.Configuration;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>Names of the rate-limit policies endpoints opt into.</summary>
public static class RateLimits
{
    /// <summary>Login and register, per client IP: <see cref="SignInLimitOptions.AuthPermitsPerMinute"/> requests a minute.</summary>
    public const string Auth = "auth";
}

/// <summary>The sign-in limit (section <c>RateLimiting</c>, beside the per-principal buckets of <see cref="RequestLimitOptions"/>).</summary>
public sealed class SignInLimitOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Login and register requests per client address (an IPv6 client by its /64) per minute.</summary>
    [Range(1, int.MaxValue)]
    public int AuthPermitsPerMinute { get; set; } = 20;
}

internal static class SignInRateLimiting
{
    /// <summary>
    /// A fixed one-minute window per client address (an IPv6 client by its /64) on the sign-in endpoints, on top of
    /// the per-principal buckets of <see cref="RequestRateLimiting"/>, which also writes the 429 problem + Retry-After.
    /// </summary>
    public static IServiceCollection AddAuthRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignInLimitOptions>()
            .Bind(configuration.GetSection(SignInLimitOptions.Section))
            .ValidateSettings(SignInLimitOptions.Section)
            .ValidateOnStart();
        services.AddRateLimiter(options => options.RejectionStatusCode = StatusCodes.Status429TooManyRequests);
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SignInLimitOptions>>((options, limit) =>
        {
            var permits = limit.Value.AuthPermitsPerMinute;
            options.AddPolicy(RateLimits.Auth, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Group(http.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }
}
