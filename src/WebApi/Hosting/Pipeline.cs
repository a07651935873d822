using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serilog;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Docs;
using ThreatPlatform.WebApi.Endpoints;
using ThreatPlatform.WebApi.Limits;
using ThreatPlatform.WebApi.Operations;
using ThreatPlatform.WebApi.WebConsole;

namespace ThreatPlatform.WebApi.Hosting;

internal static class Pipeline
{
    public static void UseThreatPlatform(this WebApplication app)
    {
        // First: the client address and scheme a trusted proxy forwarded are what everything after it sees.
        app.UseTrustedProxies();
        app.UseSecurityHeaders();
        // Outside the exception handler: the request log sees the status the client received (a refusal a handler
        // threw is the 4xx the handler wrote, not a 500), and no exception, since the handler has dealt with it (a real
        // failure's stack trace is logged once, by the handler).
        app.UseSerilogRequestLogging(o =>
        {
            o.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms (trace {TraceId})";
            // The host's logger, so the configured Serilog:* level applies (the static start-up logger ignores it).
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            o.GetLevel = RequestLogLevel;
            o.EnrichDiagnosticContext = (diagnostics, http) =>
                diagnostics.Set("TraceId", System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAllowedHosts();
        app.UseConsoleFiles();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseCors();

        // The documentation is public and served by middleware, not endpoints: before the fallback policy applies.
        app.UseApiDocs();

        // After authentication: the limits are per principal (user, sensor key), else per client address; only
        // requests presenting an API key are also counted per address before, as checking a key may cost a lookup.
        app.UseApiKeyAddressLimit();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseRequestMetrics();
        app.UseRequestBodyLimit(ServiceRegistration.DefaultMaxBodyBytes);

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReadiness })
            .AllowAnonymous().ExcludeFromDescription();

        app.MapMetricsEndpoint();
        app.MapApiEndpoints();
        app.MapConsoleFallback();
    }

    /// <summary>
    /// A server failure is an error; a client throttled (429) is worth an operator's glance; every other answer, a
    /// refusal the API meant included, is information. An exception that escaped every handler is an error too.
    /// </summary>
    internal static Serilog.Events.LogEventLevel RequestLogLevel(HttpContext context, double elapsedMilliseconds, Exception? exception) =>
        exception is not null || context.Response.StatusCode >= StatusCodes.Status500InternalServerError
            ? Serilog.Events.LogEventLevel.Error
            : context.Response.StatusCode == StatusCodes.Status429TooManyRequests
                ? Serilog.Events.LogEventLevel.Warning
                : Serilog.Events.LogEventLevel.Information;

    /// <summary>
    /// "Healthy", "Degraded" or "Unhealthy" as before, then a line for each check that is not healthy (the read
    /// replica down or lagging is Degraded: still 200, the queries read from the primary). Only the replica's check
    /// says why, in its own words: another check's description may be an exception's message.
    /// </summary>
    private static Task WriteReadiness(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var text = new System.Text.StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries)
        {
            if (entry.Status != HealthStatus.Healthy)
            {
                text.Append('\n').Append(name).Append(": ").Append(entry.Status).Append(
                    name == Infrastructure.DependencyInjection.ReplicaHealthCheck && entry.Description is { } why ? " (" + why + ")" : string.Empty);
            }
        }

        return context.Response.WriteAsync(text.ToString());
    }
}
