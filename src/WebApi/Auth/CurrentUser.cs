using System.Security.Claims;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.WebApi.Auth;

/// <summary>The request's user or sensor key; in a syslog batch's scope, the sensor its sender belongs to (no key, no user).</summary>
internal sealed class CurrentUser(IHttpContextAccessor accessor, Syslog.SyslogCaller syslog) : ICurrentUser
{
    public long? Id => syslog.Sensor is null ? accessor.HttpContext?.User.UserId() : null;

    public long? SensorId => syslog.Sensor?.Id ?? accessor.HttpContext?.User.SensorId();

    public bool SensorGroups => syslog.Sensor?.Grouping ?? accessor.HttpContext?.User.SensorGroups() ?? false;

    public long? ApiKeyId => syslog.Sensor is null ? accessor.HttpContext?.User.ApiKeyId() : null;

    // The role claim the token check replaced with the user's role in the database (AuthHosting.CheckUserIsStillActive).
    public UserRole? Role =>
        syslog.Sensor is null && accessor.HttpContext?.User.Identity is ClaimsIdentity identity
        && WireEnum.TryParse<UserRole>(identity.FindFirst(identity.RoleClaimType)?.Value, out var role)
            ? role
            : null;
}
