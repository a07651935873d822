using System.ComponentModel.DataAnnotations;
using Mediator;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Application.Sensors.CreateApiKey;
using ThreatPlatform.Application.Sensors.CreateSensor;
using ThreatPlatform.Application.Sensors.GetSensor;
using ThreatPlatform.Application.Sensors.ListApiKeys;
using ThreatPlatform.Application.Sensors.ListSensors;
using ThreatPlatform.Application.Sensors.RevokeApiKey;
using ThreatPlatform.Application.Sensors.UpdateSensor;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class SensorEndpoints
{
    private const string ClaimExistingDescription =
        "Confirms taking on sources that already hold events written by others (without it: 409 naming sources). " +
        "Those events' source + external_id keys are freed for this sensor's events; the events stay. Default false.";

    public static void MapSensorEndpoints(this IEndpointRouteBuilder api)
    {
        var sensors = api.MapGroup("/sensors").WithTags("Sensors").RequireAuthorization(Policies.Admin);

        sensors.MapPost("/", async (CreateSensorBody body, ISender sender, CancellationToken ct) =>
            {
                var sensor = await sender.Send(body.ToCommand(), ct);
                return TypedResults.Created($"/api/sensors/{sensor.Id}/", sensor);
            })
            .WithName("Sensors_Create")
            .WithSummary("Register a sensor (firewall, IDS, EDR, AI model) that will ingest with API keys")
            .WithDescription("name is unique case-insensitively. sources are the event sources the sensor owns (default: its name); a source has one owner, so a source another sensor owns is a 409 naming sources. A source that already holds events written by others (users, or a sensor that owned it before) is a 409 naming sources, with the count per source in existing_events, unless claim_existing is true: the claim then frees those events' source + external_id keys for the sensor's own events (the events stay, attributed to who wrote them) and is audited as SENSOR_SOURCES_CLAIMED. grouping defaults to true. format is the language the sensor reports in on POST /api/ingest/raw/ (NATIVE, CEF, SYSLOG, SURICATA_EVE, ECS, OCSF; default NATIVE); syslog_networks are the CIDR ranges (or single addresses) its syslog messages come from (default none). logsource {product, category, service} (each optional) is the Sigma logsource of its events: a detection rule naming a logsource field applies to them only when the sensor's equals it. Admin only.")
            .Produces<SensorDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        sensors.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListSensorsQuery(request.ListCriteria(ListSensorsQuery.Spec)), ct), request))
            .WithListParameters(ListSensorsQuery.Spec)
            .WithName("Sensors_List")
            .WithSummary("Every sensor, a page at a time")
            .WithDescription("search looks in the name and description. last_seen_at and events_ingested come from the sensor's events. Admin only.")
            .Produces<PageEnvelope<SensorDto>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        sensors.MapGet("/{id:long}/", (long id, ISender sender, CancellationToken ct) => sender.Send(new GetSensorQuery(id), ct))
            .WithName("Sensors_Get")
            .WithSummary("One sensor")
            .WithDescription("With its sources, last_seen_at and events_ingested. Admin only.")
            .Produces<SensorDto>();

        sensors.MapPatch("/{id:long}/", (long id, UpdateSensorBody body, ISender sender, CancellationToken ct) =>
                sender.Send(body.ToCommand(id), ct))
            .WithName("Sensors_Update")
            .WithSummary("Change a sensor's description, sources, active flag, grouping, format, syslog networks or Sigma logsource")
            .WithDescription("Absent fields stay as they are; sources replaces the owned sources (a source another sensor owns is a 409 naming sources), syslog_networks the networks. A source newly added that already holds events written by others is a 409 naming sources, with the count per source in existing_events, unless claim_existing is true (as on creation: the claim frees those events' source + external_id keys and is audited). Deactivating a sensor stops all its API keys (401) on every API replica within seconds. Admin only.")
            .Produces<SensorDto>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        sensors.MapPost("/{id:long}/keys/", async (long id, CreateApiKeyBody body, ISender sender, CancellationToken ct) =>
            {
                var key = await sender.Send(body.ToCommand(id), ct);
                return TypedResults.Created($"/api/sensors/{id}/keys/", key);
            })
            .WithName("Sensors_CreateKey")
            .WithSummary("Issue an API key to a sensor; the key is in this answer only")
            .WithDescription("The key is tp_<prefix>_<secret>; only a hash of the secret is stored, so it cannot be shown again. Send it as 'Authorization: ApiKey <key>' or 'X-Api-Key: <key>'. A key may only ingest events (POST /api/events/ and /api/events/batch/). expires_at, when given, must be in the future. A sensor may hold several active keys. Admin only.")
            .Produces<CreatedApiKeyDto>(StatusCodes.Status201Created)
            .ProducesValidationProblem();

        sensors.MapGet("/{id:long}/keys/", (long id, ISender sender, CancellationToken ct) => sender.Send(new ListApiKeysQuery(id), ct))
            .WithName("Sensors_ListKeys")
            .WithSummary("A sensor's API keys, newest first, revoked ones included (never the key itself)")
            .WithDescription("last_used_at is updated at most once a minute per key. Admin only.")
            .Produces<IReadOnlyList<ApiKeyDto>>();

        sensors.MapDelete("/{id:long}/keys/{keyId:long}/", async (long id, long keyId, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new RevokeApiKeyCommand(id, keyId), ct);
                return TypedResults.NoContent();
            })
            .WithName("Sensors_RevokeKey")
            .WithSummary("Revoke a sensor's API key")
            .WithDescription("The key answers 401 on every API replica within 2 seconds. Revoking a revoked key is a 204 too. Admin only.")
            .Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>kind binds as text so that a bad value is a 400 naming <c>kind</c>; the document shows the enum.</summary>
    internal sealed record CreateSensorBody(
        [property: Required, MaxLength(Sensor.NameMaxLength)] string? Name,
        [property: Required, JsonSchemaType(typeof(SensorKind))] string? Kind,
        [property: MaxLength(Sensor.DescriptionMaxLength)] string? Description,
        [property: MaxLength(Sensor.MaxSources), ItemLimits(MaxLength = SecurityEvent.SourceMaxLength)] IReadOnlyList<string?>? Sources,
        bool? Grouping,
        [property: System.ComponentModel.Description(ClaimExistingDescription)] bool? ClaimExisting = null,
        [property: JsonSchemaType(typeof(EventFormat?))] string? Format = null,
        [property: MaxLength(Sensor.MaxSyslogNetworks), ItemLimits(MaxLength = Sensor.NetworkMaxLength)] IReadOnlyList<string?>? SyslogNetworks = null,
        LogsourceBody? Logsource = null)
    {
        public CreateSensorCommand ToCommand()
        {
            var fields = new WireFields();
            var name = fields.Text(Name, "name");
            var kind = fields.Enum<SensorKind>(Kind, "kind", required: true);
            var description = fields.Text(Description, "description");
            var sources = ReadSources(fields, Sources);
            var format = fields.Enum<EventFormat>(Format, "format");
            var networks = ReadNetworks(fields, SyslogNetworks);
            var logsource = Logsource?.Read(fields);
            return fields.Result(() => new CreateSensorCommand(
                name ?? string.Empty, kind!.Value, description, sources, Grouping, ClaimExisting ?? false, format, networks, logsource));
        }
    }

    /// <summary>A PATCH: absent (null) fields stay as they are; an empty description clears it.</summary>
    internal sealed record UpdateSensorBody(
        [property: MaxLength(Sensor.DescriptionMaxLength)] string? Description,
        [property: MaxLength(Sensor.MaxSources), ItemLimits(MaxLength = SecurityEvent.SourceMaxLength)] IReadOnlyList<string?>? Sources,
        bool? IsActive,
        bool? Grouping,
        [property: System.ComponentModel.Description(ClaimExistingDescription)] bool? ClaimExisting = null,
        [property: JsonSchemaType(typeof(EventFormat?))] string? Format = null,
        [property: MaxLength(Sensor.MaxSyslogNetworks), ItemLimits(MaxLength = Sensor.NetworkMaxLength)] IReadOnlyList<string?>? SyslogNetworks = null,
        LogsourceBody? Logsource = null)
    {
        public UpdateSensorCommand ToCommand(long id)
        {
            var fields = new WireFields();
            var description = Description is null ? null : fields.Text(Description, "description") ?? string.Empty;
            var sources = ReadSources(fields, Sources);
            var format = fields.Enum<EventFormat>(Format, "format");
            var networks = ReadNetworks(fields, SyslogNetworks);
            var logsource = Logsource?.Read(fields);
            return fields.Result(() => new UpdateSensorCommand(id, description, sources, IsActive, Grouping, ClaimExisting ?? false, format, networks, logsource));
        }
    }

    /// <summary>The Sigma logsource of a sensor's events; a PATCH replaces all three fields (an empty object clears them).</summary>
    internal sealed record LogsourceBody(
        [property: MaxLength(Domain.Rules.DetectionRule.LogsourceMaxLength)] string? Product,
        [property: MaxLength(Domain.Rules.DetectionRule.LogsourceMaxLength)] string? Category,
        [property: MaxLength(Domain.Rules.DetectionRule.LogsourceMaxLength)] string? Service)
    {
        public Application.Rules.Common.LogsourceDto Read(WireFields fields) => new(
            fields.Text(Product, "logsource.product"),
            fields.Text(Category, "logsource.category"),
            fields.Text(Service, "logsource.service"));
    }

    internal sealed record CreateApiKeyBody(
        [property: MaxLength(ApiKey.NameMaxLength)] string? Name,
        DateTimeOffset? ExpiresAt)
    {
        public CreateApiKeyCommand ToCommand(long sensorId)
        {
            var fields = new WireFields();
            var name = fields.Text(Name, "name");
            return fields.Result(() => new CreateApiKeyCommand(sensorId, name, ExpiresAt?.ToUniversalTime()));
        }
    }

    private static List<string>? ReadNetworks(WireFields fields, IReadOnlyList<string?>? networks) =>
        networks?.Select(n => fields.Text(n, "syslog_networks")?.Trim() ?? string.Empty).ToList();

    // Each source as sent; a blank one is kept as empty text for the validator to name under sources.
    private static List<string>? ReadSources(WireFields fields, IReadOnlyList<string?>? sources)
    {
        if (sources is null)
        {
            return null;
        }

        var read = new List<string>(sources.Count);
        foreach (var source in sources)
        {
            read.Add(fields.Text(source, "sources")?.Trim() ?? string.Empty);
        }

        return read;
    }
}
