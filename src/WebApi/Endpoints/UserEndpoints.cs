using Mediator;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Application.Users.ListUsers;
using ThreatPlatform.Application.Users.UpdateUser;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(Policies.Admin);

        users.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListUsersQuery(request.ListCriteria(ListUsersQuery.Spec)), ct), request))
            .WithListParameters(ListUsersQuery.Spec)
            .WithName("Users_List")
            .WithSummary("Every user, a page at a time")
            .WithDescription("Oldest first, in the DRF page envelope. Admin only.")
            .Produces<PageEnvelope<UserDto>>();

        users.MapPatch("/{id:long}/", (long id, UpdateUserBody body, ISender sender, CancellationToken ct) =>
                sender.Send(body.ToCommand(id), ct))
            .WithName("Users_Update")
            .WithSummary("Change a user's role and/or active flag")
            .WithDescription("Absent fields stay as they are. Deactivating a user revokes their refresh tokens and stops their access tokens at the next request, for good: reactivating them does not revive tokens issued before. The last active admin cannot be demoted or deactivated (409).")
            .Produces<UserDto>()
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>Role binds as text so that a bad value is a 400 naming <c>role</c>; the document shows the enum.</summary>
    internal sealed record UpdateUserBody([property: JsonSchemaType(typeof(UserRole?))] string? Role, bool? IsActive)
    {
        public UpdateUserCommand ToCommand(long id)
        {
            var fields = new WireFields();
            var role = fields.Enum<UserRole>(Role, "role");
            return fields.Result(() => new UpdateUserCommand(id, role, IsActive));
        }
    }
}
