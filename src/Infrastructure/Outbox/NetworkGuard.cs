using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>
/// The SSRF guard: the addresses notifications must not reach (loopback, private, link-local, unique-local, cloud
/// metadata, and the other non-public ranges), unless an allowed network holds them. Channel creation asks it about the
/// URL's host; the sender's ConnectCallback asks it again about every address it is about to dial, so a name that
/// resolves elsewhere at send time (DNS rebinding) is refused too.
/// </summary>
internal sealed class NetworkGuard(IOptions<NotificationOptions> options) : INotificationTargets
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, cloud metadata (169.254.169.254)
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, broadcast
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("fc00::/7"),         // unique-local (fd00:ec2::254: a cloud's metadata)
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("ff00::/8"),         // multicast
        IPNetwork.Parse("64:ff9b::/96"),     // NAT64 (reaches IPv4 behind it)
        IPNetwork.Parse("2002::/16"),        // 6to4 (likewise)
    ];

    private readonly IReadOnlyList<IPNetwork> _allowed = options.Value.ParsedAllowedNetworks();

    /// <summary>Why <paramref name="address"/> may not be reached, or null when it may.</summary>
    public string? RefusalOf(IPAddress address)
    {
        if (NetworkRanges.Contains(_allowed, address))
        {
            return null;
        }

        var plain = NetworkRanges.Plain(address);
        return NetworkRanges.Contains(Refused, plain)
            ? $"{plain} is a loopback, private, link-local, unique-local or metadata address, which notifications may not reach."
            : null;
    }

    public async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken);
            }
            catch (SocketException)
            {
                return $"The host '{url.Host}' could not be resolved.";
            }
        }

        if (addresses.Length == 0)
        {
            return $"The host '{url.Host}' could not be resolved.";
        }

        return addresses.Select(RefusalOf).FirstOrDefault(r => r is not null) is { } refusal
            ? $"The host '{url.Host}' resolves to {refusal}"
            : null;
    }

    /// <summary>
    /// The sender's ConnectCallback: resolves the host itself, drops every refused address, and connects to the first
    /// permitted one; with none, the request fails before a byte is sent.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var permitted = addresses.Where(a => RefusalOf(a) is null).ToList();
        if (permitted.Count == 0)
        {
            throw new HttpRequestException(
                addresses.Length == 0 ? $"{host} did not resolve." : $"Refused to connect to {host}: {RefusalOf(addresses[0])}");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted.ToArray(), context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

internal sealed class RandomWebhookSecretGenerator : IWebhookSecretGenerator
{
    public string NewSecret() => "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
