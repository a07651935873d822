using System.Net;

namespace ThreatPlatform.Domain.Common;

/// <summary>
/// "Is this address in one of these networks?", asked in one way wherever the platform asks it (who may read /metrics,
/// which addresses notifications may not reach, which sensor a syslog sender is): an IPv4 address that arrives mapped
/// into IPv6 (<c>::ffff:10.0.0.1</c>, as a dual-stack socket reports it) is compared as the IPv4 address it is.
/// </summary>
public static class NetworkRanges
{
    /// <summary>The address as networks are written: an IPv4-mapped IPv6 address as plain IPv4.</summary>
    public static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Whether any of <paramref name="networks"/> holds <paramref name="address"/> (null is in none).</summary>
    public static bool Contains(IEnumerable<IPNetwork> networks, IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var plain = Plain(address);
        return networks.Any(n => n.Contains(plain));
    }

    /// <summary>A CIDR range (<c>10.0.0.0/8</c>), or a single address taken as its own /32 or /128.</summary>
    public static bool TryParse(string? text, out IPNetwork network)
    {
        var trimmed = text?.Trim();
        if (IPNetwork.TryParse(trimmed, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(trimmed, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }

        return false;
    }
}
