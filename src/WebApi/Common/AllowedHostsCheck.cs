using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Primitives;

namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// Only the host names in the AllowedHosts setting (semicolon-separated; <c>*.example.org</c> matches subdomains,
/// <c>*</c> any host) may reach the API, so the absolute <c>next</c>/<c>previous</c> links, built from the request's
/// Host, cannot be pointed elsewhere by a forged header. ASP.NET Core's own host filter answers a bare 400 before any
/// middleware of ours; this one answers problem+json naming <c>host</c>, with the security headers, so the framework's
/// is opened up and this one does the work.
/// </summary>
internal static class AllowedHostsCheck
{
    public const string Setting = "AllowedHosts";

    /// <summary>Unset, the API answers on loopback only (as appsettings.json ships it): a public name must be configured.</summary>
    public const string DefaultHosts = "localhost;127.0.0.1;[::1]";

    public static IServiceCollection AddAllowedHosts(this IServiceCollection services, IConfiguration configuration)
    {
        var configured = configuration[Setting];
        var hosts = (string.IsNullOrWhiteSpace(configured) ? DefaultHosts : configured)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => new StringSegment(h))
            .ToList();

        services.AddSingleton(new AllowedHostList(hosts));
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
