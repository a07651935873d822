using System.ComponentModel.DataAnnotations;
using Mediator;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Application.Notifications.CreateChannel;
using ThreatPlatform.Application.Notifications.CreateRule;
using ThreatPlatform.Application.Notifications.DeleteChannel;
using ThreatPlatform.Application.Notifications.DeleteRule;
using ThreatPlatform.Application.Notifications.GetChannel;
using ThreatPlatform.Application.Notifications.GetRule;
using ThreatPlatform.Application.Notifications.ListChannels;
using ThreatPlatform.Application.Notifications.ListDeliveries;
using ThreatPlatform.Application.Notifications.ListRules;
using ThreatPlatform.Application.Notifications.RetryDelivery;
using ThreatPlatform.Application.Notifications.TestChannel;
using ThreatPlatform.Application.Notifications.UpdateChannel;
using ThreatPlatform.Application.Notifications.UpdateRule;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class NotificationEndpoints
{
    public static void MapNotificationEndpoints(this IEndpointRouteBuilder api)
    {
        var notifications = api.MapGroup("/notifications").WithTags("Notifications").RequireAuthorization(Policies.Admin);
        MapChannels(notifications.MapGroup("/channels"));
        MapRules(notifications.MapGroup("/rules"));
        MapDeliveries(notifications.MapGroup("/deliveries"));
    }

    private static void MapChannels(RouteGroupBuilder channels)
    {
        channels.MapPost("/", async (CreateChannelBody body, ISender sender, CancellationToken ct) =>
            {
                var channel = await sender.Send(body.ToCommand(), ct);
                return TypedResults.Created($"/api/notifications/channels/{channel.Id}/", channel);
            })
            .WithName("Notifications_CreateChannel")
            .WithSummary("Add a notification channel: EMAIL (SMTP), WEBHOOK (Standard Webhooks signed) or SLACK (incoming webhook)")
            .WithDescription("name is unique case-insensitively. EMAIL: config {to: [1–50 addresses], cc?}; the SMTP server comes from the Smtp__* settings. WEBHOOK: config {url, secret?}; secret is whsec_<base64 of ≥ 24 bytes>, made when omitted, and shown only in this answer (config.secret). SLACK: config {url}. Answers never show a SLACK url whole (it is the credential: shown as scheme://host/…), nor a WEBHOOK url's query (shown as ?…); a url with user information is refused. A url whose host resolves to a loopback, private, link-local, unique-local or cloud-metadata address is a 400 naming config.url, unless Notifications__AllowedNetworks__N holds it. Admin only.")
            .Produces<ChannelDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        channels.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListChannelsQuery(request.ListCriteria(ListChannelsQuery.Spec)), ct), request))
            .WithListParameters(ListChannelsQuery.Spec)
            .WithName("Notifications_ListChannels")
            .WithSummary("Every notification channel, a page at a time (never a secret)")
            .WithDescription("A SLACK url is shown as scheme://host/…, a WEBHOOK url's query as ?…. Admin only.")
            .Produces<PageEnvelope<ChannelDto>>();

        channels.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetChannelQuery(id), ct))
            .WithName("Notifications_GetChannel")
            .WithSummary("One notification channel (never its secret)")
            .WithDescription("A SLACK url is shown as scheme://host/… (the URL is the credential), a WEBHOOK url's query as ?…. Admin only.")
            .Produces<ChannelDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        channels.MapPatch("/{id:long}/", (long id, UpdateChannelBody body, ISender sender, CancellationToken ct) => sender.Send(body.ToCommand(id), ct))
            .WithName("Notifications_UpdateChannel")
            .WithSummary("Rename a channel, switch it on or off, or replace its config")
            .WithDescription("Absent fields stay as they are. config replaces the whole config, checked as at creation for the channel's kind (the kind cannot change); a WEBHOOK keeps its secret unless config.secret names a new one, and a WEBHOOK or SLACK channel keeps its url when config leaves url out or sends back the masked form the answers show. Admin only.")
            .Produces<ChannelDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        channels.MapDelete("/{id:long}/", async (long id, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteChannelCommand(id), ct);
                return TypedResults.NoContent();
            })
            .WithName("Notifications_DeleteChannel")
            .WithSummary("Delete a channel")
            .WithDescription("A channel that a rule still sends through is a 409. Its deliveries stay in the log (channel null). Admin only.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        channels.MapPost("/{id:long}/test/", async (long id, ISender sender, CancellationToken ct) =>
                TypedResults.Accepted((string?)null, await sender.Send(new TestChannelCommand(id), ct)))
            .WithName("Notifications_TestChannel")
            .WithSummary("Send a test message through a channel")
            .WithDescription("Queues a delivery of event 'test' and answers its id at once (202); the delivery log shows how it went. Admin only.")
            .Produces<QueuedDeliveryDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static void MapRules(RouteGroupBuilder rules)
    {
        rules.MapPost("/", async (RuleBody body, ISender sender, CancellationToken ct) =>
            {
                var rule = await sender.Send(new CreateRuleCommand(body.ToSpec()), ct);
                return TypedResults.Created($"/api/notifications/rules/{rule.Id}/", rule);
            })
            .WithName("Notifications_CreateRule")
            .WithSummary("Add a routing rule: which alert events reach which channels")
            .WithDescription("events: any of alert.created, alert.escalated (a grouped alert's severity rose), alert.reopened, alert.assigned, alert.sla_breached. Filters (all given must match): min_severity (default HIGH), sources (any of), tags (every one), techniques (any of, sub-techniques included). channels: channel ids (≥ 1). throttle {max, per_seconds}: beyond max notifications per channel in a window, the rest of that window goes out as one digest when it ends. alert.assigned also mails the assignee when an EMAIL channel is on the rule. Admin only.")
            .Produces<RuleDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        rules.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListRulesQuery(request.ListCriteria(ListRulesQuery.Spec)), ct), request))
            .WithListParameters(ListRulesQuery.Spec)
            .WithName("Notifications_ListRules")
            .WithSummary("Every routing rule, a page at a time")
            .WithDescription("Admin only.")
            .Produces<PageEnvelope<RuleDto>>();

        rules.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetRuleQuery(id), ct))
            .WithName("Notifications_GetRule")
            .WithSummary("One routing rule")
            .WithDescription("Admin only.")
            .Produces<RuleDto>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        rules.MapPatch("/{id:long}/", (long id, RuleBody body, ISender sender, CancellationToken ct) =>
                sender.Send(new UpdateRuleCommand(id, body.ToSpec()), ct))
            .WithName("Notifications_UpdateRule")
            .WithSummary("Change a routing rule")
            .WithDescription("Absent fields stay as they are; a list given replaces the list. throttle {max: 0} removes the throttle. Admin only.")
            .Produces<RuleDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        rules.MapDelete("/{id:long}/", async (long id, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteRuleCommand(id), ct);
                return TypedResults.NoContent();
            })
            .WithName("Notifications_DeleteRule")
            .WithSummary("Delete a routing rule")
            .WithDescription("Its deliveries stay in the log (rule null). Admin only.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static void MapDeliveries(RouteGroupBuilder deliveries)
    {
        deliveries.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListDeliveriesQuery(request.ListCriteria(ListDeliveriesQuery.Spec)), ct), request))
            .WithListParameters(ListDeliveriesQuery.Spec)
            .WithName("Notifications_ListDeliveries")
            .WithSummary("The delivery log (the outbox), newest first")
            .WithDescription("A FAILED delivery will be tried again; a DEAD one was given up. A delivery's id is the webhook-id its receiver sees, the same on every attempt. Admin only.")
            .Produces<PageEnvelope<DeliveryDto>>();

        deliveries.MapPost("/{id:long}/retry/", async (long id, ISender sender, CancellationToken ct) =>
                TypedResults.Accepted((string?)null, await sender.Send(new RetryDeliveryCommand(id), ct)))
            .WithName("Notifications_RetryDelivery")
            .WithSummary("Queue a FAILED or DEAD delivery again")
            .WithDescription("Due at once, with a fresh allowance of attempts, under the same id. Any other status is a 409. Admin only.")
            .Produces<QueuedDeliveryDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>A channel's config as sent; which fields apply depends on the kind.</summary>
    internal sealed record ChannelConfigBody(
        [property: MaxLength(ChannelConfig.MaxAddresses), ItemLimits(MaxLength = ChannelConfig.AddressMaxLength)] IReadOnlyList<string?>? To,
        [property: MaxLength(ChannelConfig.MaxAddresses), ItemLimits(MaxLength = ChannelConfig.AddressMaxLength)] IReadOnlyList<string?>? Cc,
        [property: MaxLength(ChannelConfig.UrlMaxLength)] string? Url,
        [property: MaxLength(ChannelRules.SecretMaxLength)] string? Secret)
    {
        public ChannelConfigInput Read(WireFields fields) => new(
            Addresses(fields, To, "config.to"),
            Addresses(fields, Cc, "config.cc"),
            fields.Text(Url, "config.url")?.Trim(),
            fields.Text(Secret, "config.secret")?.Trim());

        private static List<string>? Addresses(WireFields fields, IReadOnlyList<string?>? addresses, string field) =>
            addresses is null ? null : [.. fields.Tags(addresses, field).Select(a => a.Trim())];
    }

    /// <summary>kind binds as text so that a bad value is a 400 naming <c>kind</c>; the document shows the enum.</summary>
    internal sealed record CreateChannelBody(
        [property: Required, MaxLength(NotificationChannel.NameMaxLength)] string? Name,
        [property: Required, JsonSchemaType(typeof(ChannelKind))] string? Kind,
        bool? IsActive,
        [property: Required] ChannelConfigBody? Config)
    {
        public CreateChannelCommand ToCommand()
        {
            var fields = new WireFields();
            var name = fields.Text(Name, "name");
            var kind = fields.Enum<ChannelKind>(Kind, "kind", required: true);
            var config = Config?.Read(fields);
            if (Config is null)
            {
                fields.Fail("config", "config is required.");
            }

            return fields.Result(() => new CreateChannelCommand(name ?? string.Empty, kind!.Value, IsActive, config));
        }
    }

    internal sealed record UpdateChannelBody(
        [property: MaxLength(NotificationChannel.NameMaxLength)] string? Name,
        bool? IsActive,
        ChannelConfigBody? Config)
    {
        public UpdateChannelCommand ToCommand(long id)
        {
            var fields = new WireFields();
            var name = Name is null ? null : fields.Text(Name, "name") ?? string.Empty;
            var config = Config?.Read(fields);
            return fields.Result(() => new UpdateChannelCommand(id, name, IsActive, config));
        }
    }

    internal sealed record ThrottleBody([property: Range(0, int.MaxValue)] int Max, [property: Range(1, NotificationRule.MaxThrottleSeconds)] int PerSeconds);

    /// <summary>A rule as sent (create: name, events and channels required; PATCH: every field optional).</summary>
    internal sealed record RuleBody(
        [property: MaxLength(NotificationRule.NameMaxLength)] string? Name,
        bool? IsActive,
        [property: MaxLength(NotificationEvents.MaxSelectable), ItemLimits(MaxLength = NotificationEvents.NameMaxLength)] IReadOnlyList<string?>? Events,
        [property: JsonSchemaType(typeof(Severity?))] string? MinSeverity,
        [property: MaxLength(NotificationRule.MaxFilterValues), ItemLimits(MaxLength = SecurityEvent.SourceMaxLength)] IReadOnlyList<string?>? Sources,
        [property: MaxLength(Alert.MaxTags), ItemLimits(MaxLength = Alert.TagMaxLength, Pattern = Alert.TagPattern)] IReadOnlyList<string?>? Tags,
        [property: MaxLength(NotificationRule.MaxFilterValues), ItemLimits(MaxLength = Detection.TechniqueMaxLength)] IReadOnlyList<string?>? Techniques,
        [property: MaxLength(NotificationRule.MaxChannels), ItemLimits(Minimum = 1)] IReadOnlyList<long>? Channels,
        ThrottleBody? Throttle)
    {
        public NotificationRuleSpec ToSpec()
        {
            var fields = new WireFields();
            var name = Name is null ? null : fields.Text(Name, "name") ?? string.Empty;
            var minSeverity = fields.Enum<Severity>(MinSeverity, "min_severity");
            var events = Events is null ? null : fields.Tags(Events, "events").Select(e => e.Trim().ToLowerInvariant()).ToList();
            var sources = Sources is null ? null : fields.Tags(Sources, "sources").Select(s => s.Trim()).ToList();
            var tags = Tags is null ? null : fields.Tags(Tags, "tags").Select(t => t.Trim()).ToList();
            var techniques = Techniques is null ? null : fields.Tags(Techniques, "techniques").Select(t => t.Trim()).ToList();
            var throttle = Throttle is null ? null : Throttle.Max == 0 ? Domain.Notifications.Throttle.None : new Throttle(Throttle.Max, Throttle.PerSeconds);
            return fields.Result(() => new NotificationRuleSpec(name, IsActive, events, minSeverity, sources, tags, techniques, Channels, throttle));
        }
    }
}
