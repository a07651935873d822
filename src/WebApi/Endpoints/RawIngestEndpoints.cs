using Mediator;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Events.IngestRaw;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Events;
using ThreatPlatform.WebApi.Limits;
using ThreatPlatform.WebApi.OpenApi;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class RawIngestEndpoints
{
    public static void MapRawIngestEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/ingest/raw/", async (HttpRequest request, BatchConcurrency slots, ISender sender, TimeProvider clock, CancellationToken ct) =>
                {
                    var sensor = await sender.Send(new RawIngestSensorQuery(), ct);
                    if (sensor.Format == EventFormat.Native)
                    {
                        throw new RequestValidationException(
                            "format",
                            "This sensor reports NATIVE events: send them to POST /api/events/batch/ (NDJSON), or set the sensor's format to the one its records are in.");
                    }

                    // As the batch endpoint: the whole body first (size limit, upload deadline), then a process slot.
                    RawBodyReader.RequireMediaType(request);
                    await using var body = await BatchBodyReader.ReceiveWholeAsync(
                        request, TimeSpan.FromSeconds(slots.Options.BatchUploadTimeoutSeconds), ct);
                    using var slot = slots.EnterProcess(sensorKey: request.HttpContext.User.ApiKeyId() is not null);
                    var lines = await RawBodyReader.ReadAsync(body, ct);
                    var batch = RawBatch.Read(sensor, lines, clock.GetUtcNow());
                    return TypedResults.Ok(batch.ByLine(await sender.Send(new IngestEventBatchCommand(batch.Items), ct)));
                })
            .RequireAuthorization(Policies.Ingest)
            .WithBatchConcurrencyLimit()
            .WithIngestMetrics()
            .WithTags("Events")
            .WithName("Events_IngestRaw")
            .WithSummary("Ingest a sensor's records in its own format (CEF, syslog, Suricata EVE, ECS, OCSF), one per line")
            .WithDescription(
                "Sensor API keys only (a user's token is a 403): the lines are read in the calling sensor's format (its " +
                "format field; a NATIVE sensor is a 400 naming format and sends to POST /api/events/batch/). Body: one " +
                "record per line, as text/plain (CEF, SYSLOG) or application/x-ndjson (SURICATA_EVE, ECS, OCSF; text/plain " +
                "is read the same way); blank lines are not records. At most 10,000 records or 10 MiB (413 beyond); a record " +
                "longer than 64 KiB, not UTF-8, or holding NUL or an unpaired surrogate is rejected, not altered. Each record " +
                "is mapped onto the event fields as API.md's table says, then stored exactly as a batch item is (ownership, " +
                "idempotency, grouping, alerts, the key's rate limit and the batch slots): the answer is the batch answer, " +
                "where a rejected item's index is its line number from 0 and its errors name the part of the record that " +
                "failed (header.severity, timestamp, extension.src, json…) and where.")
            .Accepts<string>(RawBodyReader.TextMediaType, BatchBodyReader.NdjsonMediaType)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(IngestEventBatchCommand.MaxBodyBytes))
            .WithMetadata(new MaxRequestItems(IngestEventBatchCommand.MaxItems))
            .Produces<BatchIngestResult>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }
}
