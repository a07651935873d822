using System.Globalization;
using System.Security.Claims;

namespace ThreatPlatform.WebApi.Auth;

/// <summary>The claims an access token carries, read in one place.</summary>
internal static class TokenClaims
{
    public const string Subject = "sub";
    public const string IssuedAtClaim = "iat";
    public const string ExpiresClaim = "exp";

    /// <summary>The user id in the token's <c>sub</c> claim; null when there is none or it is not a user id.</summary>
    public static long? UserId(this ClaimsPrincipal? principal) =>
        long.TryParse(principal?.FindFirstValue(Subject), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The token's <c>iat</c> (whole seconds); null when it has none.</summary>
    public static DateTimeOffset? IssuedAt(this ClaimsPrincipal? principal) => Time(principal, IssuedAtClaim);

    /// <summary>The token's <c>exp</c>; null when it has none (the API's tokens always have one).</summary>
    public static DateTimeOffset? ExpiresAt(this ClaimsPrincipal? principal) => Time(principal, ExpiresClaim);

    private static DateTimeOffset? Time(ClaimsPrincipal? principal, string type) =>
        long.TryParse(principal?.FindFirstValue(type), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
        && seconds is >= -62_135_596_800 and <= 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
