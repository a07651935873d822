using System.Security.Claims;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.Auth;

namespace ThreatPlatform.WebApi.Common;

internal sealed class CurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    public long? Id => accessor.HttpContext?.User.UserId();

    // The role claim the token check replaced with the user's role in the database (AuthHosting.CheckUserIsStillActive).
    public UserRole? Role =>
        accessor.HttpContext?.User.Identity is ClaimsIdentity identity
        && WireEnum.TryParse<UserRole>(identity.FindFirst(identity.RoleClaimType)?.Value, out var role)
            ? role
            : null;
}
