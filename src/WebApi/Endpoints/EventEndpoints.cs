using Mediator;
using Microsoft.AspNetCore.Mvc;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.GetEvent;
using ThreatPlatform.Application.Events.IngestEvent;
using ThreatPlatform.Application.Events.ListEvents;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class EventEndpoints
{
    public static void MapEventEndpoints(this IEndpointRouteBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events").RequireAuthorization(Policies.Analyst);

        events.MapPost("/", async (IngestEventCommand command, ISender sender, CancellationToken ct) =>
                await sender.Send(command, ct) is var ingested && ingested.Created
                    ? Results.Created($"/api/events/{ingested.Event.Id}/", ingested.Event)
                    : Results.Ok(ingested.Event))
            .WithName("Events_Ingest")
            .WithSummary("Ingest one security event (a repeat of a sensor's source + external_id answers 200 with the stored event)")
            .WithDescription("A HIGH or CRITICAL event raises an OPEN alert in the same transaction; the answer carries its alert_id. Every invalid field is named in the 400 problem.")
            .Accepts<IngestEventCommand>("application/json")
            .Produces<EventDto>(StatusCodes.Status201Created)
            .Produces<EventDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        events.MapGet("/", async ([AsParameters] ListEventsParameters parameters, HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(parameters.ToQuery(), ct), request))
            .WithName("Events_List")
            .WithSummary("Events, newest first, filtered, searched and ordered, a page at a time")
            .WithDescription("Filters: severity (repeatable or comma-separated), source, event_type, occurred_at__gte/__lte (ISO 8601). search: case-insensitive substring over source, event type and description. ordering: timestamp, occurred_at, severity (by rank), each with an optional '-'. A page past the end is a 404.")
            .Produces<PageEnvelope<EventDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        events.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetEventQuery(id), ct))
            .WithName("Events_Get")
            .WithSummary("One event")
            .WithDescription("With the id of the alert it raised, if any.")
            .Produces<EventDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>GET /api/events/ query parameters, by their wire names.</summary>
    internal sealed record ListEventsParameters(
        [property: FromQuery(Name = "page")] string? Page,
        [property: FromQuery(Name = "page_size")] string? PageSize,
        [property: FromQuery(Name = "severity")] string[]? Severity,
        [property: FromQuery(Name = "source")] string? Source,
        [property: FromQuery(Name = "event_type")] string? EventType,
        [property: FromQuery(Name = "occurred_at__gte")] string? OccurredAtGte,
        [property: FromQuery(Name = "occurred_at__lte")] string? OccurredAtLte,
        [property: FromQuery(Name = "search")] string? Search,
        [property: FromQuery(Name = "ordering")] string? Ordering)
    {
        public ListEventsQuery ToQuery() => new()
        {
            Page = PageEnvelope.ParseInt(Page, "page"),
            PageSize = PageEnvelope.ParseInt(PageSize, "page_size"),
            Severity = Severity,
            Source = Source,
            EventType = EventType,
            OccurredAtGte = OccurredAtGte,
            OccurredAtLte = OccurredAtLte,
            Search = Search,
            Ordering = Ordering,
        };
    }
}
