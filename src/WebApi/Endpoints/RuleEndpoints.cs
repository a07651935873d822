using System.ComponentModel.DataAnnotations;
using Mediator;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Rules.CreateRule;
using ThreatPlatform.Application.Rules.DeleteRule;
using ThreatPlatform.Application.Rules.GetRule;
using ThreatPlatform.Application.Rules.ListRules;
using ThreatPlatform.Application.Rules.ReplaceRule;
using ThreatPlatform.Application.Rules.SetRuleActive;
using ThreatPlatform.Application.Rules.TestRule;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Events;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

/// <summary>Detection rules (Sigma): admins write them, analysts read them, ingest runs the enabled ones.</summary>
internal static class RuleEndpoints
{
    private const string SigmaErrors = "A document that is not valid Sigma, or uses what is not supported, is a 400 naming sigma, each message starting with the line and column of the problem.";

    public static void MapRuleEndpoints(this IEndpointRouteBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Rules");

        rules.MapPost("/", async (CreateRuleBody body, ISender sender, CancellationToken ct) =>
            {
                var rule = await sender.Send(new CreateDetectionRuleCommand(body.Sigma, body.IsActive), ct);
                return TypedResults.Created($"/api/rules/{rule.Id}/", rule);
            })
            .RequireAuthorization(Policies.Admin)
            .WithName("Rules_Create")
            .WithSummary("Add a detection rule written in Sigma YAML")
            .WithDescription("sigma: one Sigma rule, or a correlation rule (event_count, value_count, temporal) with the rules it names as further YAML documents (after ---). Active unless is_active is false; every API replica runs it on ingest within 2 s. " + SigmaErrors + " Admin only.")
            .Produces<DetectionRuleDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem();

        rules.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListDetectionRulesQuery(request.ListCriteria(ListDetectionRulesQuery.Spec)), ct), request))
            .RequireAuthorization(Policies.Analyst)
            .WithListParameters(ListDetectionRulesQuery.Spec)
            .WithName("Rules_List")
            .WithSummary("Every detection rule, a page at a time, with the alerts each raised (hits)")
            .WithDescription("search looks in the title and the Sigma id. Analyst, Admin.")
            .Produces<PageEnvelope<DetectionRuleDto>>();

        rules.MapPost("/test/", (TestRuleBody body, ISender sender, CancellationToken ct) => sender.Send(body.ToCommand(), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("Rules_Test")
            .WithSummary("Dry-run a Sigma rule on sample events (nothing is stored)")
            .WithDescription("events: event bodies as POST /api/events/ takes them, in time order; sensor: evaluate as that sensor's events (its logsource and grouping). Answers the indexes of the events the rule matched (a correlation: its base rules) and the alerts it would raise with the events each holds. " + SigmaErrors + " Admin only.")
            .Produces<RuleTestResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        rules.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetDetectionRuleQuery(id), ct))
            .RequireAuthorization(Policies.Analyst)
            .WithName("Rules_Get")
            .WithSummary("One detection rule, its Sigma document and its hits")
            .WithDescription("Analyst, Admin.")
            .Produces<DetectionRuleDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        rules.MapPut("/{id:long}/", (long id, ReplaceRuleBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new ReplaceDetectionRuleCommand(id, body.Sigma), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("Rules_Replace")
            .WithSummary("Replace a rule's Sigma document")
            .WithDescription("The rule keeps its id, is_active and hits; title, level, tags and logsource follow the new document. Nothing changes unless it compiles. " + SigmaErrors + " Admin only.")
            .Produces<DetectionRuleDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        rules.MapPatch("/{id:long}/", (long id, SetActiveBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new SetDetectionRuleActiveCommand(id, body.IsActive), ct))
            .RequireAuthorization(Policies.Admin)
            .WithName("Rules_SetActive")
            .WithSummary("Switch a rule on or off")
            .WithDescription("{is_active}. Every API replica stops or starts running it within 2 s. Admin only.")
            .Produces<DetectionRuleDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        rules.MapDelete("/{id:long}/", async (long id, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteDetectionRuleCommand(id), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.Admin)
            .WithName("Rules_Delete")
            .WithSummary("Delete a rule")
            .WithDescription("The alerts it raised stay and keep showing the rule as it was. Admin only.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal sealed record CreateRuleBody([property: Required, MaxLength(DetectionRule.SigmaMaxLength)] string? Sigma, bool? IsActive);

    internal sealed record ReplaceRuleBody([property: Required, MaxLength(DetectionRule.SigmaMaxLength)] string? Sigma);

    internal sealed record SetActiveBody([property: Required] bool? IsActive);

    internal sealed record TestRuleBody(
        [property: Required, MaxLength(DetectionRule.SigmaMaxLength)] string? Sigma,
        [property: Required, MaxLength(TestDetectionRuleCommand.MaxEvents)] IReadOnlyList<EventBody?>? Events,
        [property: Range(1, long.MaxValue)] long? Sensor)
    {
        public TestDetectionRuleCommand ToCommand()
        {
            if (Events is null || Events.Count > TestDetectionRuleCommand.MaxEvents)
            {
                throw new RequestValidationException("events", Events is null
                    ? "events is required: the sample events, as POST /api/events/ takes them."
                    : $"At most {TestDetectionRuleCommand.MaxEvents} events.");
            }

            // Each event is read as POST /api/events/ reads it; a bad one is named by its index (events[3].severity).
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var inputs = new List<EventInput>(Events.Count);
            for (var i = 0; i < Events.Count; i++)
            {
                if (Events[i] is not { } body)
                {
                    errors[$"events[{i}]"] = ["The item is not an event object."];
                    continue;
                }

                var fields = new WireFields();
                if (body.Read(fields) is { } input)
                {
                    inputs.Add(input);
                    continue;
                }

                foreach (var (field, messages) in fields.Errors)
                {
                    errors[$"events[{i}].{field}"] = messages;
                }
            }

            return errors.Count > 0 ? throw new RequestValidationException(errors) : new TestDetectionRuleCommand(Sigma, inputs, Sensor);
        }
    }
}
