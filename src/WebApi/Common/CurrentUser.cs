using System.Globalization;
using System.Security.Claims;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.WebApi.Common;

internal sealed class CurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    public long? Id =>
        long.TryParse(accessor.HttpContext?.User.FindFirstValue("sub"), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    public string? Username => accessor.HttpContext?.User.FindFirstValue("username");
}
