using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ThreatPlatform.Infrastructure.Configuration;

namespace ThreatPlatform.WebApi.Common;

/// <summary>The host names the API answers to (<c>AllowedHosts</c>, semicolon-separated; <c>*.example.org</c>, <c>*</c>).</summary>
public sealed class AllowedHostsOptions
{
    /// <summary>A key at the configuration's root (ASP.NET Core's own name for it), not in a section.</summary>
    public const string Setting = nameof(AllowedHosts);

    /// <summary>Unset, the API answers on loopback only (as appsettings.json ships it): a public name must be configured.</summary>
    public const string DefaultHosts = "localhost;127.0.0.1;[::1]";

    public string? AllowedHosts { get; set; }

    public IList<StringSegment> Hosts => [.. (string.IsNullOrWhiteSpace(AllowedHosts) ? DefaultHosts : AllowedHosts)
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(h => new StringSegment(h))];
}

/// <summary>
/// Only the host names in the AllowedHosts setting (semicolon-separated; <c>*.example.org</c> matches subdomains,
/// <c>*</c> any host) may reach the API, so the absolute <c>next</c>/<c>previous</c> links, built from the request's
/// Host, cannot be pointed elsewhere by a forged header. ASP.NET Core's own host filter answers a bare 400 before any
/// middleware of ours; this one answers problem+json naming <c>host</c>, with the security headers, so the framework's
/// is opened up and this one does the work.
/// </summary>
internal static class AllowedHostsCheck
{
    public static IServiceCollection AddAllowedHosts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AllowedHostsOptions>()
            .Bind(configuration)
            .ValidateSettings(string.Empty)
            .ValidateOnStart();
        services.AddSingleton(sp => new AllowedHostList(sp.GetRequiredService<IOptions<AllowedHostsOptions>>().Value.Hosts));
        services.Configure<HostFilteringOptions>(o => o.AllowedHosts = ["*"]);
        return services;
    }

    public static IApplicationBuilder UseAllowedHosts(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var allowed = context.RequestServices.GetRequiredService<AllowedHostList>();
        if (allowed.AnyHost || (context.Request.Host.HasValue && HostString.MatchesAny(context.Request.Host.Host, allowed.Hosts)))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemDetailsExceptionHandler.Validation(
                new Dictionary<string, string[]> { ["host"] = ["This API does not answer to that host name."] },
                "The Host header names a host this API does not serve (AllowedHosts)."),
        });
    });

    private sealed class AllowedHostList(IList<StringSegment> hosts)
    {
        public IList<StringSegment> Hosts { get; } = hosts;

        public bool AnyHost { get; } = hosts.Any(h => h == "*");
    }
}
