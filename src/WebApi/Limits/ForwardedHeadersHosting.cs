using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>
/// X-Forwarded-For / X-Forwarded-Proto are honoured only from the proxies named in settings
/// (<c>ForwardedHeaders:KnownProxies:N</c> addresses, <c>ForwardedHeaders:KnownNetworks:N</c> CIDR ranges); with none
/// configured they are ignored (ASP.NET Core's own default would trust loopback). The client address they yield is
/// what rate limits and logs then see.
/// </summary>
internal static class ForwardedHeadersHosting
{
    public const string Section = "ForwardedHeaders";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var proxies = Parse(section.GetSection("KnownProxies").Get<string[]>(), "KnownProxies", (string t, out IPAddress a) => IPAddress.TryParse(t, out a!));
        var networks = Parse(section.GetSection("KnownNetworks").Get<string[]>(), "KnownNetworks", (string t, out System.Net.IPNetwork n) => System.Net.IPNetwork.TryParse(t, out n));
        var forwardLimit = section.GetValue("ForwardLimit", 1);
        if (forwardLimit < 1)
        {
            throw new InvalidOperationException($"{Section}:ForwardLimit must be at least 1.");
        }

        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = forwardLimit;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        services.AddSingleton(new TrustedProxies(proxies.Count + networks.Count > 0));
        return services;
    }

    /// <summary>Reads forwarded headers only when a proxy is configured: otherwise nobody may set the client address.</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        if (app.Services.GetRequiredService<TrustedProxies>().Any)
        {
            app.UseForwardedHeaders();
        }
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static List<T> Parse<T>(string[]? texts, string name, TryParse<T> parse)
    {
        var values = new List<T>();
        foreach (var text in (texts ?? []).Where(t => !string.IsNullOrWhiteSpace(t)))
        {
            if (!parse(text.Trim(), out var value))
            {
                throw new InvalidOperationException($"{Section}:{name} has '{text}', which is not an IP address{(name == "KnownNetworks" ? " range in CIDR form (10.0.0.0/8)" : string.Empty)}.");
            }

            values.Add(value);
        }

        return values;
    }

    private sealed record TrustedProxies(bool Any);
}
