using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.WebApi.Auth;

namespace ThreatPlatform.WebApi.Common;

internal sealed class CurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    public long? Id => accessor.HttpContext?.User.UserId();
}
