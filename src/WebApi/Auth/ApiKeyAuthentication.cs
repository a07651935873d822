using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ThreatPlatform.Application.Sensors.AuthenticateApiKey;

namespace ThreatPlatform.WebApi.Auth;

/// <summary>
/// Sensors authenticate with an API key (<c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>). The
/// key's principal carries the sensor and key ids and the role SENSOR, which only the ingest policy admits: anything
/// else with a key is a 403. A key that does not authenticate (unknown, revoked, expired, inactive sensor) is a 401.
/// </summary>
internal static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";

    /// <summary>The default scheme: the API key handler when a key header is present, else the JWT bearer handler.</summary>
    public const string KeyOrBearer = "ApiKeyOrBearer";

    public const string HeaderName = "X-Api-Key";
    public const string SensorRole = "SENSOR";
    public const string SensorIdClaim = "sensor_id";
    public const string SensorGroupsClaim = "sensor_groups";
    public const string KeyIdClaim = "api_key_id";

    private const string AuthorizationPrefix = Scheme + " ";

    public static string SelectScheme(HttpContext context) =>
        PresentedKey(context.Request) is not null ? Scheme : JwtBearerDefaults.AuthenticationScheme;

    /// <summary>The key the request presents, or null when it presents none (an empty key counts as presented).</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header))
        {
            return header.ToString();
        }

        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        return authorization.StartsWith(AuthorizationPrefix, StringComparison.OrdinalIgnoreCase)
            ? authorization[AuthorizationPrefix.Length..]
            : null;
    }

    public static long? SensorId(this ClaimsPrincipal? principal) => LongClaim(principal, SensorIdClaim);

    public static bool SensorGroups(this ClaimsPrincipal? principal) =>
        principal?.FindFirst(SensorGroupsClaim)?.Value == "true";

    public static long? ApiKeyId(this ClaimsPrincipal? principal) => LongClaim(principal, KeyIdClaim);

    private static long? LongClaim(ClaimsPrincipal? principal, string type) =>
        long.TryParse(principal?.FindFirstValue(type), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}

internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeyAuthentication.PresentedKey(Request) is not { } key)
        {
            return AuthenticateResult.NoResult();
        }

        var sender = Context.RequestServices.GetRequiredService<ISender>();
        if (await sender.Send(new AuthenticateApiKeyCommand(key), Context.RequestAborted) is not { } identity)
        {
            return AuthenticateResult.Fail("The API key is invalid, expired or revoked, or its sensor is inactive.");
        }

        var claims = new ClaimsIdentity(
            [
                new Claim(ApiKeyAuthentication.SensorIdClaim, identity.SensorId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ApiKeyAuthentication.KeyIdClaim, identity.KeyId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ApiKeyAuthentication.SensorGroupsClaim, identity.Grouping ? "true" : "false"),
                new Claim("role", ApiKeyAuthentication.SensorRole),
            ],
            ApiKeyAuthentication.Scheme,
            nameType: ApiKeyAuthentication.SensorIdClaim,
            roleType: "role");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(claims), ApiKeyAuthentication.Scheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = ApiKeyAuthentication.Scheme;
        return base.HandleChallengeAsync(properties);
    }
}
