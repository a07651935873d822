using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Operations;

namespace ThreatPlatform.WebApi.Endpoints;

/// <summary>
/// Counts what an ingest endpoint stored, repeated and refused, by sensor. The alerts raised and the events grouped into
/// alerts are counted by ingest itself (<see cref="PrometheusAlertMetrics"/>): only it knows a raised alert from a fold,
/// and it counts them once their transaction committed.
/// </summary>
internal static class IngestMetricsFilter
{
    public static RouteHandlerBuilder WithIngestMetrics(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var sensor = context.HttpContext.User.SensorId()?.ToString(CultureInfo.InvariantCulture) ?? ApiMetrics.UserSensorLabel;
            object? result;
            try
            {
                result = await next(context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ApiMetrics.EventsRejected.WithLabels(sensor).Inc();
                throw;
            }

            Count(sensor, result);
            return result;
        });

    private static void Count(string sensor, object? result)
    {
        switch (result)
        {
            case Ok<BatchIngestResult> { Value: { } batch }:
                ApiMetrics.EventsIngested.WithLabels(sensor).Inc(batch.Accepted);
                ApiMetrics.EventsDuplicate.WithLabels(sensor).Inc(batch.Duplicates);
                ApiMetrics.EventsRejected.WithLabels(sensor).Inc(batch.Rejected.Count);
                break;
            case Results<Created<EventDto>, Ok<EventDto>> { Result: Created<EventDto> }:
                ApiMetrics.EventsIngested.WithLabels(sensor).Inc();
                break;
            case Results<Created<EventDto>, Ok<EventDto>>:
                ApiMetrics.EventsDuplicate.WithLabels(sensor).Inc();
                break;
        }
    }
}
