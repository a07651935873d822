using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Docs;
using ThreatPlatform.WebApi.Endpoints;
using ThreatPlatform.WebApi.WebConsole;

namespace ThreatPlatform.WebApi.Hosting;

internal static class Pipeline
{
    public static void UseThreatPlatform(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseConsoleFiles();
        app.UseSerilogRequestLogging(o =>
        {
            o.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms (trace {TraceId})";
            // The host's logger, so the configured Serilog:* level applies (the static start-up logger ignores it).
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            o.EnrichDiagnosticContext = (diagnostics, http) =>
                diagnostics.Set("TraceId", System.Diagnostics.Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier);
        });
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseCors();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRequestBodyLimit(ServiceRegistration.DefaultMaxBodyBytes);

        app.UseApiDocs();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).ExcludeFromDescription();

        app.MapApiEndpoints();
        app.MapConsoleFallback();
    }
}
