using System.Net;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.WebApi.Auth;

/// <summary>The audit log's actor and address for the current request: the signed-in user or sensor, and the client's address.</summary>
internal sealed class HttpAuditContext(IHttpContextAccessor accessor) : IAuditContext
{
    public long? ActorId => accessor.HttpContext?.User.UserId();

    public string? ActorName =>
        accessor.HttpContext?.User is { } user
            ? user.SensorId() is { } sensor ? $"sensor:{sensor}" : user.Identity?.Name
            : null;

    /// <summary>As the connection reports it (after the forwarded-headers step, when trusted proxies are configured).</summary>
    public string? ClientAddress => Format(accessor.HttpContext?.Connection.RemoteIpAddress);

    /// <summary>An IPv4 client on a dual-stack socket is written as IPv4, so one client has one text.</summary>
    internal static string? Format(IPAddress? address) =>
        address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
