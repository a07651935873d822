using Mediator;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Stats.GetAlertStats;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class StatsEndpoints
{
    public static void MapStatsEndpoints(this IEndpointRouteBuilder api)
    {
        var stats = api.MapGroup("/stats").WithTags("Stats").RequireAuthorization(Policies.Analyst);

        stats.MapGet("/alerts/", (HttpRequest request, ISender sender, CancellationToken ct) => sender.Send(ReadQuery(request), ct))
            .WithName("Stats_Alerts")
            .WithSummary("Alert figures over a window: counts by status and severity, alerts over time, top sources, MTTA and MTTR")
            .WithDescription(
                "Over the alerts created in [from, to): by_status and by_severity (every wire value, zeros included), over_time (every " +
                "bucket of the window, UTC, zeros included), top_sources (the 10 busiest, most alerts first), mtta_seconds and " +
                "mttr_seconds (median and p90 of created -> first ACKNOWLEDGED, and created -> first RESOLVED or FALSE_POSITIVE; null " +
                "without data), sla_breached. from/to: ISO 8601, default the last 7 days (to = now), at most 366 days apart. bucket: hour " +
                "or day, default hour for a window of up to 2 days, else day.")
            .WithMetadata(new ListParameters(
            [
                new ListParameter("from", typeof(DateTimeOffset), Description: "Start of the window (inclusive); default 7 days before to."),
                new ListParameter("to", typeof(DateTimeOffset), Description: "End of the window (exclusive); default now."),
                new ListParameter("bucket", typeof(StatsBucket), Description: "hour or day; default hour for a window of up to 2 days, else day."),
            ]))
            .Produces<AlertStatsDto>()
            .ProducesValidationProblem();
    }

    private static GetAlertStatsQuery ReadQuery(HttpRequest request)
    {
        var query = request.Query;
        var fields = new WireFields();
        var from = fields.Value(typeof(DateTimeOffset), query["from"], "from") as DateTimeOffset?;
        var to = fields.Value(typeof(DateTimeOffset), query["to"], "to") as DateTimeOffset?;
        var bucket = fields.Enum<StatsBucket>(query["bucket"], "bucket");
        return fields.Result(() => new GetAlertStatsQuery(from, to, bucket));
    }
}
