using Mediator;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Events;
using ThreatPlatform.WebApi.Limits;
using ThreatPlatform.WebApi.OpenApi;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class EventBatchEndpoints
{
    public static void MapEventBatchEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/events/batch/", async (HttpRequest request, IOptions<JsonOptions> json, BatchConcurrency slots, ISender sender, CancellationToken ct) =>
            {
                // The whole body first (size limit, upload deadline), then a process slot: a slow upload holds none.
                await using var body = await BatchBodyReader.ReceiveAsync(
                    request, TimeSpan.FromSeconds(slots.Options.BatchUploadTimeoutSeconds), ct);
                using var slot = slots.EnterProcess(sensorKey: request.HttpContext.User.ApiKeyId() is not null);
                return TypedResults.Ok(await sender.Send(
                    new IngestEventBatchCommand(await body.ReadItemsAsync(json.Value.SerializerOptions, ct)),
                    ct));
            })
            .RequireAuthorization(Policies.Ingest)
            .WithBatchConcurrencyLimit()
            .WithIngestMetrics()
            .WithTags("Events")
            .WithName("Events_IngestBatch")
            .WithSummary("Ingest up to 10,000 events at once, as a JSON array or NDJSON; invalid items are reported, not stored")
            .WithDescription(
                "Body: a JSON array of events (Content-Type application/json), or the same events one per line as NDJSON " +
                "(Content-Type application/x-ndjson; blank lines are not items). At most 10,000 " +
                "events or 10 MiB (413 beyond). Each item is validated like POST /api/events/; rejected items are listed " +
                "with their 0-based index and errors by field. A repeat of a stored source + external_id, or of an earlier " +
                "item of the batch, counts as a duplicate. Events and their alerts are committed together before the 200. " +
                "Users (Analyst, Admin) and sensors' API keys may ingest. An item whose source a sensor owns, sent without " +
                "that sensor's key (or a key's item of a source its sensor does not own), is one rejected entry with errors " +
                "{source: [...]}; the batch's other items are stored. A key ingests at most Ingest:KeyEventsPerSecond events " +
                "a second and a user at most Ingest:UserEventsPerSecond, each item counted, checked before anything is stored " +
                "(429 with Retry-After). The body must arrive in full within RateLimiting:BatchUploadTimeoutSeconds (408 " +
                "beyond). A caller (key or user) has at most RateLimiting:MaxConcurrentBatchesPerCaller batch requests in " +
                "progress, uploads included; each API process works on at most RateLimiting:MaxConcurrentBatches received " +
                "batches at once, of which user tokens may hold only the part RateLimiting:SensorKeyReservedBatchPercent " +
                "does not keep for sensors' keys; one more is a 429 with Retry-After.")
            // Also makes routing answer any other content type with a 415 problem before the body is read.
            .Accepts<EventBody[]>("application/json", BatchBodyReader.NdjsonMediaType)
            // 10 MiB instead of every other endpoint's 1 MiB: the declared-length check in front of the endpoints reads it.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(IngestEventBatchCommand.MaxBodyBytes))
            .WithMetadata(new MaxRequestItems(IngestEventBatchCommand.MaxItems))
            // 400, 401, 413, 415 and 500 follow from the conventions in OpenApi/ (a body, an authorization requirement).
            .Produces<BatchIngestResult>()
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }
}
