using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Users.GetUserAccess;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Limits;

namespace ThreatPlatform.WebApi.Auth;

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

internal static class AuthHosting
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

    /// <summary>
    /// After the token's signature and lifetime check out, asks the database whether its user is still active, what
    /// their role is now and whether the token was issued after their last sign-out everywhere or deactivation:
    /// those take effect at the next request, not at token expiry.
    /// <para>
    /// It asks <see cref="IUserAccessReader"/> (the cache that LISTEN/NOTIFY invalidates) directly rather than through
    /// the mediator: this runs on every authenticated request, before the request has a principal, and the pipeline's
    /// behaviours (logging, read routing, validation) had nothing to do for it but cost a scope's worth of objects each time.
    /// </para>
    /// </summary>
    public static Task CheckUserIsStillActive(TokenValidatedContext context)
    {
        return CheckAsync(context);

        static async Task CheckAsync(TokenValidatedContext context)
        {
            if (context.Principal?.Identity is not ClaimsIdentity identity || context.Principal.UserId() is not { } userId)
            {
                context.Fail("The token names no user.");
                return;
            }

            var users = context.HttpContext.RequestServices.GetRequiredService<IUserAccessReader>();
            var access = await users.FindAsync(userId, context.HttpContext.RequestAborted);
            if (access is null || context.Principal.IssuedAt() is not { } issuedAt || !access.Admits(issuedAt))
            {
                context.Fail("The token's user is unknown or inactive, or the token was revoked.");
                return;
            }

            // The role is the database's, whatever the token says; a token whose one role claim already says it is kept as it is.
            var role = access.Role.ToWire();
            var roles = identity.FindAll(identity.RoleClaimType).ToList();
            if (roles is [{ } only] && string.Equals(only.Value, role, StringComparison.Ordinal))
            {
                return;
            }

            foreach (var claim in roles)
            {
                identity.RemoveClaim(claim);
            }

            identity.AddClaim(new Claim(identity.RoleClaimType, role));
        }
    }
}
