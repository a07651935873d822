using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Users.GetUserAccess;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Auth;

internal static class AuthHosting
{
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
