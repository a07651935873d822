using System.Net;
using System.Net.Sockets;

namespace ThreatPlatform.Application.Common;

/// <summary>
/// The client identity limits and sign-in throttling count under: an IPv4 address as is, an IPv6 address by its /64
/// (one subscriber or host usually gets a whole /64, so counting single IPv6 addresses would let one client rotate
/// through 2^64 of them). An IPv4-mapped IPv6 address (<c>::ffff:192.0.2.1</c>, as a dual-stack socket reports IPv4
/// peers) counts as its IPv4.
/// </summary>
public static class ClientAddressGroup
{
    public const string Unknown = "unknown";

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return Unknown;
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

    /// <summary>As <see cref="Of(IPAddress?)"/>, for an address as text; text that is no address stands for itself.</summary>
    public static string Of(string? address) =>
        address is null ? Unknown : IPAddress.TryParse(address, out var parsed) ? Of(parsed) : address;
}
