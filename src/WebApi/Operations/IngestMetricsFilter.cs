using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.WebApi.Auth;

namespace ThreatPlatform.WebApi.Operations;

/// <summary>Counts what an ingest endpoint stored, repeated and refused, and the alerts it raised, by sensor.</summary>
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
                ApiMetrics.AlertsRaised.WithLabels(sensor).Inc(batch.AlertsCreated);
                break;
            case Results<Created<EventDto>, Ok<EventDto>> { Result: Created<EventDto> { Value: { } created } }:
                ApiMetrics.EventsIngested.WithLabels(sensor).Inc();
                if (created.AlertId is not null)
                {
                    ApiMetrics.AlertsRaised.WithLabels(sensor).Inc();
                }

                break;
            case Results<Created<EventDto>, Ok<EventDto>>:
                ApiMetrics.EventsDuplicate.WithLabels(sensor).Inc();
                break;
        }
    }
}
