using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using ThreatPlatform.Infrastructure.Configuration;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>
/// X-Forwarded-For / X-Forwarded-Proto are honoured only from the proxies named in settings
/// (<c>ForwardedHeaders:KnownProxies:N</c> addresses, <c>ForwardedHeaders:KnownNetworks:N</c> CIDR ranges); with none
/// configured they are ignored (ASP.NET Core's own default would trust loopback). The client address they yield is
/// what rate limits and logs then see.
/// </summary>
internal static class ForwardedHeadersHosting
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrustedProxyOptions>()
            .Bind(configuration.GetSection(TrustedProxyOptions.Section))
            .ValidateSettings(TrustedProxyOptions.Section)
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((o, trusted) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = trusted.Value.ForwardLimit;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.Proxies)
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in trusted.Value.Networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    /// <summary>Reads forwarded headers only when a proxy is configured: otherwise nobody may set the client address.</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.Any)
        {
            app.UseForwardedHeaders();
        }
    }
}
