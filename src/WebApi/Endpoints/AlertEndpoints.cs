using Mediator;
using Microsoft.AspNetCore.Mvc;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Alerts.GetAlert;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Alerts.UpdateAlertStatus;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class AlertEndpoints
{
    public static void MapAlertEndpoints(this IEndpointRouteBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts").RequireAuthorization(Policies.Analyst);

        alerts.MapGet("/", async ([AsParameters] ListAlertsParameters parameters, HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(parameters.ToQuery(), ct), request))
            .WithName("Alerts_List")
            .WithSummary("Alerts, newest first, filtered, searched and ordered, a page at a time")
            .Produces<PageEnvelope<AlertDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetAlertQuery(id), ct))
            .WithName("Alerts_Get")
            .WithSummary("One alert with its event and status history")
            .Produces<AlertDetailDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapPatch("/{id:long}/status/", (long id, UpdateStatusBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new UpdateAlertStatusCommand(id, body.Status, body.Note), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("Alerts_UpdateStatus")
            .WithSummary("Move an alert along its lifecycle (Admin); an illegal move is a 409 naming the allowed next states")
            .Produces<AlertDetailDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>The PATCH body: only status and note are read; anything else in it is ignored.</summary>
    internal sealed record UpdateStatusBody(string? Status, string? Note);

    /// <summary>GET /api/alerts/ query parameters, by the original platform's names.</summary>
    internal sealed record ListAlertsParameters(
        [property: FromQuery(Name = "page")] string? Page,
        [property: FromQuery(Name = "page_size")] string? PageSize,
        [property: FromQuery(Name = "status")] string[]? Status,
        [property: FromQuery(Name = "event__severity")] string[]? EventSeverity,
        [property: FromQuery(Name = "event__source")] string? EventSource,
        [property: FromQuery(Name = "event__event_type")] string? EventType,
        [property: FromQuery(Name = "created_at__gte")] string? CreatedAtGte,
        [property: FromQuery(Name = "created_at__lte")] string? CreatedAtLte,
        [property: FromQuery(Name = "search")] string? Search,
        [property: FromQuery(Name = "ordering")] string? Ordering)
    {
        public ListAlertsQuery ToQuery() => new()
        {
            Page = PageEnvelope.ParseInt(Page, "page"),
            PageSize = PageEnvelope.ParseInt(PageSize, "page_size"),
            Status = Status,
            EventSeverity = EventSeverity,
            EventSource = EventSource,
            EventType = EventType,
            CreatedAtGte = CreatedAtGte,
            CreatedAtLte = CreatedAtLte,
            Search = Search,
            Ordering = Ordering,
        };
    }
}
