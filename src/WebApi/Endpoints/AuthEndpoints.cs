using System.ComponentModel.DataAnnotations;
using Mediator;
using ThreatPlatform.Application.Auth.Login;
using ThreatPlatform.Application.Auth.Logout;
using ThreatPlatform.Application.Auth.LogoutAll;
using ThreatPlatform.Application.Auth.Me;
using ThreatPlatform.Application.Auth.Refresh;
using ThreatPlatform.Application.Auth.Register;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Limits;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Auth");

        auth.MapPost("/register/", async (RegisterBody body, ISender sender, CancellationToken ct) =>
                TypedResults.Created((string?)null, await sender.Send(new RegisterCommand(body.Username, body.Email, body.Password), ct)))
            .AllowAnonymous()
            .RequireRateLimiting(RateLimits.Auth)
            .WithName("Auth_Register")
            .WithSummary("Create an ANALYST account")
            .WithDescription("Self-registration always creates an ANALYST, whatever the body says. Password: at least 10 characters, not all digits, not the username, not a common password. A taken username or email is a 409 naming the field. Auth__Registration decides who may: open (default), approval (the account is inactive until an admin activates it) or closed (403). Rate-limited per client IP (429 with Retry-After).")
            .Produces<RegisteredUserDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);

        auth.MapPost("/login/", async (LoginBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var signedIn = await sender.Send(new LoginCommand(body.Username, body.Password, DeviceCookie.Read(http.Request)), ct);
                DeviceCookie.Write(http, signedIn.DeviceToken, signedIn.DeviceTokenExpiresAt);
                return RefreshCookie.Answer(http, signedIn.Tokens, body.Cookie == true);
            })
            .AllowAnonymous()
            .RequireRateLimiting(RateLimits.Auth)
            .WithName("Auth_Login")
            .WithSummary("Exchange a username and password for an access and a refresh token")
            .WithDescription("The same 401 for an unknown user and a wrong password. Failed sign-ins are throttled per username and client address (an IPv6 client by its /64): after a few failures each further try must wait longer (429 with Retry-After), and once many addresses fail on one username every client waits — except one that carries the device cookie (tp_device: HttpOnly, SameSite=Strict, Secure over HTTPS, 90 days) an earlier successful sign-in as that user set, which only its own failures make wait. The answers are the same whether or not the username exists, and no account is ever locked. An account awaiting an admin's approval gets a 403 saying so. Also rate-limited per client IP (429 with Retry-After). " + CookieMode)
            .Produces<TokenPairBody>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/refresh/", async (RefreshBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (token, fromCookie) = RefreshCookie.Presented(http, body.Refresh);
                try
                {
                    return RefreshCookie.Answer(http, await sender.Send(new RefreshCommand(token), ct), fromCookie || body.Cookie == true);
                }
                catch (AuthenticationFailed) when (fromCookie)
                {
                    // A cookie that no longer refreshes is dropped, so the browser stops presenting it.
                    RefreshCookie.ClearWhenAnswering(http);
                    throw;
                }
            })
            .AllowAnonymous()
            .WithName("Auth_Refresh")
            .WithSummary("Rotate a refresh token: a new access and refresh token; the old refresh token is retired")
            .WithDescription("Presenting a refresh token that was already rotated is treated as theft: 401, and every token of its family is revoked. A family ends Jwt__RefreshFamilyDays (default 30) after its login, however often it rotates. With no refresh in the body, the tp_refresh cookie's token is taken (it needs the X-Requested-With header, else a 400 naming it) and the rotated one goes back as the cookie; a cookie that is refused is cleared. " + CookieMode)
            .Produces<TokenPairBody>()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        auth.MapPost("/logout/", async (RefreshBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (token, fromCookie) = RefreshCookie.Presented(http, body.Refresh);
                await sender.Send(new LogoutCommand(token), ct);
                if (fromCookie)
                {
                    RefreshCookie.Clear(http);
                }

                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.Analyst)
            .WithName("Auth_Logout")
            .WithSummary("Revoke a refresh token and every rotation of it")
            .WithDescription("Signs the session out: the refresh token and every token rotated from it stop working. Access tokens already issued expire on their own (15 minutes by default). With no refresh in the body, the tp_refresh cookie's token is revoked (with the X-Requested-With header, as for refresh) and the cookie cleared.")
            .Produces(StatusCodes.Status204NoContent);

        auth.MapPost("/logout-all/", async (ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new LogoutAllCommand(), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.Analyst)
            .WithName("Auth_LogoutAll")
            .WithSummary("Sign out everywhere: revoke every refresh token and access token of the caller")
            .WithDescription("Every session of the caller (every refresh family) stops refreshing at once, and every access token issued until now is refused from the next request on (open alert streams end at their next keep-alive); a sign-in afterwards gets tokens that work. Recorded in the audit log.")
            .Produces(StatusCodes.Status204NoContent);

        auth.MapGet("/me/", (ISender sender, CancellationToken ct) => sender.Send(new GetMeQuery(), ct))
            .RequireAuthorization(Policies.Analyst)
            .WithName("Auth_Me")
            .WithSummary("The signed-in user")
            .WithDescription("The caller's account as the database has it now (role changes show at once).")
            .Produces<MeDto>();
    }

    private const string CookieMode = "With \"cookie\": true the refresh token is not in the answer: it is set as the tp_refresh cookie (HttpOnly, SameSite=Strict, Secure on HTTPS, sent only to /api/auth/refresh/ and /api/auth/logout/), for browsers, where no script should read it.";

    // [Required]/[MaxLength] describe the body in the OpenAPI document only; the command validators enforce them.

    /// <summary>Only these three fields bind: a <c>role</c> or <c>is_staff</c> in the body is ignored.</summary>
    internal sealed record RegisterBody(
        [property: Required, MaxLength(User.UsernameMaxLength)] string? Username,
        [property: Required, MaxLength(User.EmailMaxLength)] string? Email,
        [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string? Password)
    {
        public override string ToString() => $"RegisterBody {{ Username = {Username} }}";
    }

    /// <summary><c>cookie</c>: true to receive the refresh token as the HttpOnly cookie instead of in the answer.</summary>
    internal sealed record LoginBody(
        [property: Required, MaxLength(User.UsernameMaxLength)] string? Username,
        [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string? Password,
        bool? Cookie = null)
    {
        public override string ToString() => $"LoginBody {{ Username = {Username} }}";
    }

    /// <summary>
    /// <c>refresh</c> may be left out when the browser holds it as the cookie; <c>cookie</c> (refresh only): true to
    /// receive the rotated token as the cookie.
    /// </summary>
    internal sealed record RefreshBody([property: MaxLength(RefreshCommandValidator.MaximumLength)] string? Refresh, bool? Cookie = null)
    {
        public override string ToString() => "RefreshBody { Refresh = *** }";
    }
}
