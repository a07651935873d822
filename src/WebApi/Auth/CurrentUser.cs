using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.WebApi.Auth;

internal sealed class CurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    public long? Id => accessor.HttpContext?.User.UserId();

    public long? SensorId => accessor.HttpContext?.User.SensorId();

    public long? ApiKeyId => accessor.HttpContext?.User.ApiKeyId();
}
