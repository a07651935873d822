using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Operations;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text, prometheus-net) answered only to the addresses in <c>Metrics:AllowedNetworks</c>
/// (default loopback; anyone else gets a 404, as if there were none), and OpenTelemetry traces over OTLP when
/// <c>OpenTelemetry:OtlpEndpoint</c> (or the standard OTEL_EXPORTER_OTLP_ENDPOINT) names a collector.
/// </summary>
internal static class OperationsHosting
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>()
            .Bind(configuration.GetSection(MetricsOptions.Section))
            .ValidateSettings(MetricsOptions.Section)
            .ValidateOnStart();
        services.AddSingleton(sp => new MetricsAccess(sp.GetRequiredService<IOptions<MetricsOptions>>().Value.Networks));
        services.AddSingleton<Infrastructure.Outbox.INotificationMetrics, PrometheusNotificationMetrics>();
        _ = MeterFilter.Value;

        services.AddOptions<OpenTelemetryOptions>()
            .Bind(configuration.GetSection(OpenTelemetryOptions.Section))
            .ValidateSettings(OpenTelemetryOptions.Section)
            .ValidateOnStart();
        // Whether to trace at all is decided here, before the container exists.
        var telemetry = Settings.Read<OpenTelemetryOptions>(configuration, OpenTelemetryOptions.Section);
        var otlp = telemetry.OtlpEndpoint ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            if (!Uri.TryCreate(otlp, UriKind.Absolute, out var endpoint))
            {
                throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute URL (http://collector:4317), not '{otlp}'.");
            }

            services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(telemetry.ServiceName))
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != MetricsPath)
                    .AddNpgsql()
                    .AddOtlpExporter(o => o.Endpoint = endpoint));
        }

        return services;
    }

    /// <summary>
    /// Request duration histograms by route and status; call after routing is known (WebApplication routes first). Only
    /// that one of prometheus-net's three request middlewares: the histogram's <c>_count</c> is the request counter
    /// already, and the in-progress gauge and a second counter cost every request (ingest above all) their own label
    /// lookups for series nobody reads.
    /// </summary>
    public static void UseRequestMetrics(this WebApplication app) => app.UseHttpMetrics(o =>
    {
        o.InProgress.Enabled = false;
        o.RequestCount.Enabled = false;
    });

    /// <summary>
    /// The address check is part of the endpoint's own pipeline, so it guards every spelling that routing sends there
    /// (routing ignores letter case and a trailing slash: /METRICS, /Metrics/); a path check in front of routing did not.
    /// </summary>
    public static void MapMetricsEndpoint(this WebApplication app)
    {
        var exporter = ((IEndpointRouteBuilder)app).CreateApplicationBuilder()
            .Use(async (http, next) =>
            {
                if (!http.RequestServices.GetRequiredService<MetricsAccess>().Allows(http.Connection.RemoteIpAddress))
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = http,
                        ProblemDetails = ProblemDetailsExceptionHandler.Problem(StatusCodes.Status404NotFound, "Not found", "No such resource."),
                    });
                    return;
                }

                await next(http);
            })
            .UseMiddleware<MetricServerMiddleware>(new MetricServerMiddleware.Settings())
            .Build();
        app.Map(MetricsPath, exporter).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>
    /// .NET's own meters are exported as Prometheus series (Npgsql's pool, Kestrel, HttpClient), except the runtime's
    /// private diagnostics (dozens of private_internaldiagnostics_…msquic… series nobody asked for). The adapter is
    /// process-wide: set once.
    /// </summary>
    private static readonly Lazy<bool> MeterFilter = new(() =>
    {
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = instrument =>
            !instrument.Meter.Name.StartsWith("Private.InternalDiagnostics.", StringComparison.Ordinal));
        return true;
    });

    internal sealed class MetricsAccess(IReadOnlyList<IPNetwork> networks)
    {
        public bool Allows(IPAddress? address) => Domain.Common.NetworkRanges.Contains(networks, address);
    }
}
