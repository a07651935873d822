using System.Globalization;
using System.Security.Claims;

namespace ThreatPlatform.WebApi.Auth;

/// <summary>The claims an access token carries, read in one place.</summary>
internal static class TokenClaims
{
    public const string Subject = "sub";

    /// <summary>The user id in the token's <c>sub</c> claim; null when there is none or it is not a user id.</summary>
    public static long? UserId(this ClaimsPrincipal? principal) =>
        long.TryParse(principal?.FindFirstValue(Subject), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
