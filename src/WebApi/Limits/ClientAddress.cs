using System.Net;
using ThreatPlatform.Application.Common;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>The address a client's limits are counted under: see <see cref="ClientAddressGroup"/> (sign-in throttling uses the same).</summary>
public static class ClientAddress
{
    public static string Group(IPAddress? address) => ClientAddressGroup.Of(address);
}
