using Mediator;
using Microsoft.AspNetCore.Mvc;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Application.Users.ListUsers;
using ThreatPlatform.Application.Users.UpdateUser;
using ThreatPlatform.Domain.Users;
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
            .WithName("Users_List")
            .WithSummary("Every user, a page at a time")
            .WithDescription("Oldest first, in the DRF page envelope. Admin only.")
            .Produces<PageEnvelope<UserDto>>();

        users.MapPatch("/{id:long}/", (long id, UpdateUserBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new UpdateUserCommand(id, body.Role, body.IsActive), ct))
            .WithName("Users_Update")
            .WithSummary("Change a user's role and/or active flag")
            .WithDescription("Absent fields stay as they are. Deactivating a user revokes their refresh tokens and stops their access tokens at the next request. The last active admin cannot be demoted or deactivated (409).")
            .Produces<UserDto>()
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Role binds as text so that a bad value is a 400 naming <c>role</c>; the document shows the enum.</summary>
    internal sealed record UpdateUserBody([property: JsonSchemaType(typeof(UserRole?))] string? Role, bool? IsActive);
}
