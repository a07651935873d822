using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.GetEvent;
using ThreatPlatform.Application.Events.IngestEvent;
using ThreatPlatform.Application.Events.ListEvents;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Events;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class EventEndpoints
{
    public static void MapEventEndpoints(this IEndpointRouteBuilder api)
    {
        // No group-wide policy: ingest also admits sensors' API keys, reading does not.
        var events = api.MapGroup("/events").WithTags("Events");

        events.MapPost("/", async Task<Results<Created<EventDto>, Ok<EventDto>>> (EventBody body, ISender sender, CancellationToken ct) =>
                await sender.Send(new IngestEventCommand(body.Read()), ct) is var ingested && ingested.Created
                    ? TypedResults.Created($"/api/events/{ingested.Event.Id}/", ingested.Event)
                    : TypedResults.Ok(ingested.Event))
            .RequireAuthorization(Policies.Ingest)
            .WithIngestMetrics()
            .WithName("Events_Ingest")
            .WithSummary("Ingest one security event (a repeat of a sensor's source + external_id answers 200 with the stored event)")
            .WithDescription("A HIGH or CRITICAL event raises an OPEN alert in the same transaction; the answer carries its alert_id. Every invalid field is named in the 400 problem. Users (Analyst, Admin) and sensors' API keys may ingest; an event made with a key records its sensor. A source a sensor owns is written only with that sensor's keys, and a key writes only its sensor's sources: otherwise 403 naming source. A repeat of source + external_id with other content is a 409 idempotency_conflict naming external_id (nothing stored). A key ingests at most Ingest:KeyEventsPerSecond events a second, a user at most Ingest:UserEventsPerSecond (429 with Retry-After).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        events.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListEventsQuery(request.ListCriteria(ListEventsQuery.Spec)), ct), request))
            .WithListParameters(ListEventsQuery.Spec)
            .RequireAuthorization(Policies.Analyst)
            .WithName("Events_List")
            .WithSummary("Events, newest first, filtered, searched and ordered, a page at a time")
            .WithDescription("search looks in the source, event type and description; severity orders by rank. A page past the end is a 404.")
            .Produces<PageEnvelope<EventDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        events.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetEventQuery(id), ct))
            .RequireAuthorization(Policies.Analyst)
            .WithName("Events_Get")
            .WithSummary("One event")
            .WithDescription("With the id of the alert it raised, if any.")
            .Produces<EventDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
