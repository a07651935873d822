using System.ComponentModel.DataAnnotations;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Alerts.AddAlertComment;
using ThreatPlatform.Application.Alerts.AssignAlert;
using ThreatPlatform.Application.Alerts.BulkUpdateAlerts;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Alerts.DeleteAlertComment;
using ThreatPlatform.Application.Alerts.GetAlert;
using ThreatPlatform.Application.Alerts.ListAlertComments;
using ThreatPlatform.Application.Alerts.ListAlertEvents;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Alerts.ReplaceAlertTags;
using ThreatPlatform.Application.Alerts.UpdateAlertStatus;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.ListEvents;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class AlertEndpoints
{
    public static void MapAlertEndpoints(this IEndpointRouteBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts").RequireAuthorization(Policies.Analyst).WithAlertETags();

        alerts.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListAlertsQuery(request.ListCriteria(ListAlertsQuery.Spec)), ct), request))
            .WithListParameters(ListAlertsQuery.Spec)
            .WithName("Alerts_List")
            .WithSummary("Alerts, newest first, filtered, searched and ordered, a page at a time")
            .WithDescription("search looks in the event's source, type and description; event__severity orders by rank. A page past the end is a 404. Past the deepest page, read on with the cursor of the next link, which stays stable while alerts arrive.")
            .Produces<PageEnvelope<AlertDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetAlertQuery(id), ct))
            .WithName("Alerts_Get")
            .WithSummary("One alert with its event, triage fields and history; the answer carries an ETag")
            .WithDescription("History is oldest first, one entry per change (status, assignee, tags, comment added or deleted): action, from, to, changed_by (and changed_by_username), changed_at, note; status changes also carry from_status and to_status. The ETag (the alert's row version) goes in If-Match on the single-alert writes.")
            .Produces<AlertDetailDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapPatch("/{id:long}/status/", (long id, UpdateStatusBody body, ISender sender, CancellationToken ct) =>
                sender.Send(body.ToCommand(id), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("Alerts_UpdateStatus")
            .WithSummary("Move an alert along its lifecycle (Admin); an illegal move is a 409 naming the allowed next states")
            .WithDescription("OPEN -> ACKNOWLEDGED -> IN_PROGRESS -> RESOLVED | FALSE_POSITIVE; any open state may go straight to RESOLVED or FALSE_POSITIVE; a closed alert may be reopened to OPEN. Setting the current status is a 200 no-op. Two admins changing one alert at once: the second gets a 409. Fields other than status and note are ignored. If-Match with a stale ETag: 412.")
            .Produces<AlertDetailDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        alerts.MapPost("/{id:long}/assign/", (long id, AssignBody body, ISender sender, CancellationToken ct) =>
                sender.Send(body.ToCommand(id), ct))
            .WithName("Alerts_Assign")
            .WithSummary("Assign an alert to a user, or unassign it (assignee null)")
            .WithDescription("An analyst may take an unassigned alert for themselves, or unassign an alert assigned to them; anything else is a 403. An admin may assign any active user (an unknown or inactive user is a 400 naming assignee). Assigning the current assignee is a 200 no-op. If-Match with a stale ETag: 412.")
            .Produces<AlertDetailDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        alerts.MapPut("/{id:long}/tags/", (long id, TagsBody body, ISender sender, CancellationToken ct) =>
                sender.Send(body.ToCommand(id), ct))
            .WithName("Alerts_ReplaceTags")
            .WithSummary("Replace an alert's tags")
            .WithDescription("A list or tag outside the schema's bounds is a 400 naming tags; repeats are dropped. The same set is a 200 no-op. If-Match with a stale ETag: 412.")
            .Produces<AlertDetailDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        alerts.MapGet("/{id:long}/events/", async (long id, HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListAlertEventsQuery(id, request.ListCriteria(ListEventsQuery.Spec)), ct), request))
            .WithListParameters(ListEventsQuery.Spec)
            .WithName("Alerts_ListEvents")
            .WithSummary("The events an alert holds, newest first, a page at a time")
            .WithDescription("The event that raised the alert and every event folded into it since (grouping: a sensor with grouping on folds a HIGH or CRITICAL event into the open alert with the same sensor, source, event_type, source_ip and destination_ip). Filters, search and orderings as GET /api/events/.")
            .Produces<PageEnvelope<EventDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapGet("/{id:long}/comments/", async (long id, HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListAlertCommentsQuery(id, request.ListCriteria(ListAlertCommentsQuery.Spec)), ct), request))
            .WithListParameters(ListAlertCommentsQuery.Spec)
            .WithName("Alerts_ListComments")
            .WithSummary("An alert's comments, oldest first, a page at a time")
            .WithDescription("Deleted comments are not listed. body is plain text, returned exactly as sent.")
            .Produces<PageEnvelope<AlertCommentDto>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        alerts.MapPost("/{id:long}/comments/", async (long id, CommentBody body, ISender sender, CancellationToken ct) =>
            {
                var comment = await sender.Send(body.ToCommand(id), ct);
                return TypedResults.Created($"/api/alerts/{id}/comments/{comment.Id}/", comment);
            })
            .WithName("Alerts_AddComment")
            .WithSummary("Comment on an alert")
            .WithDescription("body is plain text, stored and returned exactly as sent (never interpreted as HTML). The comment lands in the alert's history. If-Match with a stale ETag: 412.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        alerts.MapDelete("/{id:long}/comments/{commentId:long}/", async (long id, long commentId, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteAlertCommentCommand(id, commentId), ct);
                return TypedResults.NoContent();
            })
            .WithName("Alerts_DeleteComment")
            .WithSummary("Delete a comment (its author or an admin)")
            .WithDescription("The comment is no longer listed; the alert's history records who deleted it. Anyone but its author or an admin gets a 403.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        alerts.MapPost("/bulk/", async (BulkBody body, ISender sender, CancellationToken ct) =>
                BulkResults.From(await sender.Send(body.ToCommand(), ct)))
            .WithName("Alerts_Bulk")
            .WithSummary($"One action (status, assign, tag) on up to {BulkUpdateAlertsCommand.MaxIds} alerts, each tried on its own")
            .WithDescription("Each id gets the rules and roles of the single action (an analyst's status change is a 403 for each id; an illegal transition a 409 for that id; an unknown id a 404) and one refusal does not stop the others. results: one per distinct id, in the order given: {id, ok, status_code, error}. action status needs status (note optional); assign takes assignee (a user id, or null to unassign); tag takes add_tags and/or remove_tags.")
            .Produces<BulkResults>()
            .ProducesValidationProblem();
    }

    /// <summary>POST …/assign/: a user id, or null to unassign.</summary>
    internal sealed record AssignBody([property: Range(1, long.MaxValue)] long? Assignee)
    {
        public AssignAlertCommand ToCommand(long id) => new(id, Assignee);
    }

    /// <summary>PUT …/tags/: the whole new set.</summary>
    internal sealed record TagsBody(
        [property: Required, MaxLength(Alert.MaxTags), ItemLimits(MaxLength = Alert.TagMaxLength, Pattern = Alert.TagPattern)] IReadOnlyList<string?>? Tags)
    {
        public ReplaceAlertTagsCommand ToCommand(long id)
        {
            var fields = new WireFields();
            var tags = fields.Tags(Tags, "tags", required: true);
            return fields.Result(() => new ReplaceAlertTagsCommand(id, tags));
        }
    }

    /// <summary>POST …/comments/: plain text.</summary>
    internal sealed record CommentBody([property: Required, MaxLength(AlertComment.BodyMaxLength)] string? Body)
    {
        public AddAlertCommentCommand ToCommand(long alertId)
        {
            var fields = new WireFields();
            var body = fields.Text(Body, "body");
            if (body is null && fields.IsValid)
            {
                fields.Fail("body", $"body is required: 1 to {AlertComment.BodyMaxLength} characters.");
            }

            return fields.Result(() => new AddAlertCommentCommand(alertId, body!));
        }
    }

    /// <summary>POST /api/alerts/bulk/: the action and what it needs.</summary>
    internal sealed record BulkBody(
        [property: Required, MaxLength(BulkUpdateAlertsCommand.MaxIds), ItemLimits(Minimum = 1)] IReadOnlyList<long>? Ids,
        [property: Required, JsonSchemaType(typeof(BulkAlertAction))] string? Action,
        [property: JsonSchemaType(typeof(AlertStatus))] string? Status,
        [property: MaxLength(AlertHistoryEntry.NoteMaxLength)] string? Note,
        [property: Range(1, long.MaxValue)] long? Assignee,
        [property: MaxLength(Alert.MaxTags), ItemLimits(MaxLength = Alert.TagMaxLength, Pattern = Alert.TagPattern)] IReadOnlyList<string?>? AddTags,
        [property: MaxLength(Alert.MaxTags), ItemLimits(MaxLength = Alert.TagMaxLength, Pattern = Alert.TagPattern)] IReadOnlyList<string?>? RemoveTags)
    {
        public BulkUpdateAlertsCommand ToCommand()
        {
            var fields = new WireFields();
            var action = fields.Enum<BulkAlertAction>(Action, "action", required: true);
            var status = fields.Enum<AlertStatus>(Status, "status");
            var note = fields.Text(Note, "note");
            var add = fields.Tags(AddTags, "add_tags");
            var remove = fields.Tags(RemoveTags, "remove_tags");
            if (Ids is null)
            {
                fields.Fail("ids", "ids is required.");
            }

            return fields.Result(() => new BulkUpdateAlertsCommand(Ids!, action!.Value, status, note?.Trim(), Assignee, add, remove));
        }
    }

    /// <summary>The PATCH body: only status and note are read; anything else in it is ignored.</summary>
    internal sealed record UpdateStatusBody(
        [property: Required, JsonSchemaType(typeof(AlertStatus))] string? Status,
        [property: MaxLength(AlertHistoryEntry.NoteMaxLength)] string? Note)
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
