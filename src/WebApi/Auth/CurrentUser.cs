using System.Security.Claims;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.WebApi.Auth;

internal sealed class CurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    public long? Id => accessor.HttpContext?.User.UserId();

    public long? SensorId => accessor.HttpContext?.User.SensorId();

    public bool SensorGroups => accessor.HttpContext?.User.SensorGroups() ?? false;

    public long? ApiKeyId => accessor.HttpContext?.User.ApiKeyId();

    // The role claim the token check replaced with the user's role in the database (AuthHosting.CheckUserIsStillActive).
    public UserRole? Role =>
        accessor.HttpContext?.User.Identity is ClaimsIdentity identity
        && WireEnum.TryParse<UserRole>(identity.FindFirst(identity.RoleClaimType)?.Value, out var role)
            ? role
            : null;
}
