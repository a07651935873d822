namespace ThreatPlatform.WebApi.Auth;

/// <summary>
/// The device cookie a successful sign-in sets (see <see cref="Application.Auth.Common.IDeviceTokens"/>): sent back
/// only to the sign-in endpoint, never readable by scripts, never sent cross-site, Secure over HTTPS.
/// </summary>
internal static class DeviceCookie
{
    public const string Name = "tp_device";
    public const string Path = "/api/auth/login/";

    public static string? Read(HttpRequest request) => request.Cookies.TryGetValue(Name, out var value) ? value : null;

    public static void Write(HttpContext http, string token, DateTimeOffset expiresAt) =>
        http.Response.Cookies.Append(Name, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = Path,
            Expires = expiresAt,
            IsEssential = true,
        });
}
