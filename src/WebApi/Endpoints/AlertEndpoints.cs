using System.ComponentModel.DataAnnotations;
using Mediator;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Alerts.GetAlert;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Alerts.UpdateAlertStatus;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class AlertEndpoints
{
    public static void MapAlertEndpoints(this IEndpointRouteBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts").RequireAuthorization(Policies.Analyst);

        alerts.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListAlertsQuery(request.ListCriteria(ListAlertsQuery.Spec)), ct), request))
            .WithListParameters(ListAlertsQuery.Spec)
            .WithName("Alerts_List")
            .WithSummary("Alerts, newest first, filtered, searched and ordered, a page at a time")
            .WithDescription("Filters: status and event__severity (repeatable or comma-separated), event__source, event__event_type, created_at__gte/__lte (ISO 8601). search: case-insensitive substring over the event's source, type and description. ordering: created_at, updated_at, status, event__severity (by rank), each with an optional '-'; default -created_at. A page past the end is a 404.")
            .Produces<PageEnvelope<AlertDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetAlertQuery(id), ct))
            .WithName("Alerts_Get")
            .WithSummary("One alert with its event and status history")
            .WithDescription("History is oldest first: from_status, to_status, changed_by (and changed_by_username), changed_at, note.")
            .Produces<AlertDetailDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapPatch("/{id:long}/status/", (long id, UpdateStatusBody body, ISender sender, CancellationToken ct) =>
                sender.Send(body.ToCommand(id), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("Alerts_UpdateStatus")
            .WithSummary("Move an alert along its lifecycle (Admin); an illegal move is a 409 naming the allowed next states")
            .WithDescription("OPEN -> ACKNOWLEDGED -> IN_PROGRESS -> RESOLVED | FALSE_POSITIVE; any open state may go straight to RESOLVED or FALSE_POSITIVE; a closed alert may be reopened to OPEN. Setting the current status is a 200 no-op. Two admins changing one alert at once: the second gets a 409. Fields other than status and note are ignored.")
            .Produces<AlertDetailDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>The PATCH body: only status and note are read; anything else in it is ignored.</summary>
    internal sealed record UpdateStatusBody(
        [property: Required, JsonSchemaType(typeof(AlertStatus))] string? Status,
        [property: MaxLength(AlertStatusChange.NoteMaxLength)] string? Note)
    {
        public UpdateAlertStatusCommand ToCommand(long id)
        {
            var fields = new WireFields();
            var status = fields.Enum<AlertStatus>(Status, "status", required: true);
            var note = fields.Text(Note, "note");
            return fields.Result(() => new UpdateAlertStatusCommand(id, status!.Value, note?.Trim()));
        }
    }
}
