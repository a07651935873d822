using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>
/// The in-process test server has no socket, so no peer address: this sets the connection's remote address from the
/// <c>X-Test-Peer</c> header before the API's pipeline runs, as a TCP peer would have it (documentation addresses only).
/// </summary>
internal static class PeerAddress
{
    public const string Header = "X-Test-Peer";

    public static void UseTestPeerAddress(this IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, PeerFilter>());

    /// <summary>A client whose requests come from <paramref name="address"/> (and optionally through a proxy header).</summary>
    public static HttpClient From(this HttpClient client, string address, string? forwardedFor = null)
    {
        client.DefaultRequestHeaders.Add(Header, address);
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }

        return client;
    }

    private sealed class PeerFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
