using System.Net;
using System.Net.Sockets;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>
/// The address a client's limits are counted under: an IPv4 address as is, an IPv6 address by its /64 (one subscriber
/// or host usually gets a whole /64, so counting single IPv6 addresses would let one client rotate through 2^64 of them).
/// An IPv4-mapped IPv6 address (<c>::ffff:192.0.2.1</c>, as a dual-stack socket reports IPv4 peers) counts as its IPv4.
/// </summary>
public static class ClientAddress
{
    public static string Group(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
