using Mediator;
using Microsoft.AspNetCore.Mvc;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Application.Users.ListUsers;
using ThreatPlatform.Application.Users.UpdateUser;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(Policies.Admin);

        users.MapGet("/", async (string? page, [FromQuery(Name = "page_size")] string? pageSize, HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(
                    await sender.Send(new ListUsersQuery(PageEnvelope.ParseInt(page, "page"), PageEnvelope.ParseInt(pageSize, "page_size")), ct),
                    request))
            .WithSummary("Every user, a page at a time")
            .Produces<PageEnvelope<UserDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        users.MapPatch("/{id:long}/", (long id, UpdateUserBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new UpdateUserCommand(id, body.Role, body.IsActive), ct))
            .WithSummary("Change a user's role and/or active flag")
            .Produces<UserDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    internal sealed record UpdateUserBody(string? Role, bool? IsActive);
}
