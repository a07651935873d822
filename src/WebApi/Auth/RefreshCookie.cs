using System.Text.Json.Serialization;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common.Exceptions;

namespace ThreatPlatform.WebApi.Auth;

/// <summary>
/// The refresh token as a cookie, for browsers (the console): HttpOnly, so no script reads it; SameSite=Strict, so no
/// other site's page sends it; Secure on HTTPS; sent only to the two endpoints that take a refresh token. A client asks
/// for it with <c>"cookie": true</c> on login or refresh; its answers then carry the access token alone. A refresh token
/// read from the cookie needs the <see cref="CsrfHeader"/> header too: a form or a link from another page cannot send
/// a custom header, and a cross-origin script needs a CORS preflight the API never grants with credentials.
/// No expiry: the browser forgets it when it closes, and the server's own limits (Jwt__RefreshTokenDays, the family's
/// Jwt__RefreshFamilyDays) hold whatever the browser keeps.
/// </summary>
internal static class RefreshCookie
{
    public const string Name = "tp_refresh";
    public const string CsrfHeader = "X-Requested-With";

    /// <summary>The endpoints that read it; a cookie has one path, so each gets its own copy.</summary>
    private static readonly string[] Paths = ["/api/auth/refresh/", "/api/auth/logout/"];

    /// <summary>
    /// The refresh token of the request: the body's when it has one, else the cookie's (refused without the CSRF
    /// header: a 400 naming it). Null when there is neither (the command's validator names <c>refresh</c>).
    /// </summary>
    public static (string? Token, bool FromCookie) Presented(HttpContext http, string? fromBody)
    {
        if (!string.IsNullOrEmpty(fromBody) || !http.Request.Cookies.TryGetValue(Name, out var cookie) || string.IsNullOrEmpty(cookie))
        {
            return (fromBody, false);
        }

        if (string.IsNullOrWhiteSpace(http.Request.Headers[CsrfHeader]))
        {
            throw new RequestValidationException(CsrfHeader,
                $"A refresh token from the {Name} cookie is taken only with the {CsrfHeader} header (any value, e.g. XMLHttpRequest).");
        }

        return (cookie, true);
    }

    /// <summary>The answer to a login or refresh: the pair as it is, or the refresh token set as the cookie and left out.</summary>
    public static TokenPairBody Answer(HttpContext http, TokenPair pair, bool asCookie)
    {
        if (!asCookie)
        {
            return new TokenPairBody(pair.Access, pair.Refresh);
        }

        foreach (var path in Paths)
        {
            http.Response.Cookies.Append(Name, pair.Refresh, Options(http, path));
        }

        return new TokenPairBody(pair.Access, null);
    }

    /// <summary>Tells the browser to forget the cookie (on every path it was set on).</summary>
    public static void Clear(HttpContext http)
    {
        foreach (var path in Paths)
        {
            http.Response.Cookies.Delete(Name, Options(http, path));
        }
    }

    /// <summary>
    /// Clears the cookie on the answer to this request even when it ends in an error (the exception handler empties
    /// the headers before it writes the problem; this runs as the answer starts).
    /// </summary>
    public static void ClearWhenAnswering(HttpContext http) => http.Response.OnStarting(() =>
    {
        Clear(http);
        return Task.CompletedTask;
    });

    private static CookieOptions Options(HttpContext http, string path) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = http.Request.PathBase.Add(path).Value,
        IsEssential = true,
    };
}

/// <summary>
/// A login's or refresh's answer: <c>refresh</c> is absent when the client asked for it as a cookie
/// (<see cref="RefreshCookie"/>).
/// </summary>
[JsonSchema("TokenPair")]
public sealed record TokenPairBody(
    string Access,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Refresh)
{
    public override string ToString() => "TokenPairBody { Access = ***, Refresh = *** }";
}
