using Mediator;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Auth.Login;
using ThreatPlatform.Application.Auth.Logout;
using ThreatPlatform.Application.Auth.Me;
using ThreatPlatform.Application.Auth.Refresh;
using ThreatPlatform.Application.Auth.Register;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;

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
            .WithSummary("Create an ANALYST account")
            .Produces<RegisteredUserDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/login/", (LoginBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new LoginCommand(body.Username, body.Password), ct))
            .AllowAnonymous()
            .RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Exchange a username and password for an access and a refresh token")
            .Produces<TokenPair>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status423Locked)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/refresh/", (RefreshBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new RefreshCommand(body.Refresh), ct))
            .AllowAnonymous()
            .WithSummary("Rotate a refresh token: a new access and refresh token; the old refresh token is retired")
            .Produces<TokenPair>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        auth.MapPost("/logout/", async (RefreshBody body, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new LogoutCommand(body.Refresh), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.Analyst)
            .WithSummary("Revoke a refresh token and every rotation of it")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        auth.MapGet("/me/", (ISender sender, CancellationToken ct) => sender.Send(new GetMeQuery(), ct))
            .RequireAuthorization(Policies.Analyst)
            .WithSummary("The signed-in user")
            .Produces<MeDto>()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    /// <summary>Only these three fields bind: a <c>role</c> or <c>is_staff</c> in the body is ignored.</summary>
    internal sealed record RegisterBody(string? Username, string? Email, string? Password)
    {
        public override string ToString() => $"RegisterBody {{ Username = {Username} }}";
    }

    internal sealed record LoginBody(string? Username, string? Password)
    {
        public override string ToString() => $"LoginBody {{ Username = {Username} }}";
    }

    internal sealed record RefreshBody(string? Refresh)
    {
        public override string ToString() => "RefreshBody { Refresh = *** }";
    }
}
