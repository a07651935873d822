using ThreatPlatform.Application.Common;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using NJsonSchema.Annotations;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Events;

/// <summary>
/// One event as a sensor sends it (single and batch ingest alike): the wire's strings, so a bad value is reported by
/// field name instead of failing the whole body. <c>Read</c> turns it into the Application's typed
/// <see cref="EventInput"/>; lengths and other business rules are the Application validator's.
/// </summary>
[JsonSchema("EventInput")]
public sealed record EventBody(
    [property: Required, MaxLength(SecurityEvent.SourceMaxLength)] string? Source,
    [property: Required, MaxLength(SecurityEvent.EventTypeMaxLength)] string? EventType,
    [property: Required, JsonSchemaType(typeof(Severity))] string? Severity,
    [property: MaxLength(SecurityEvent.DescriptionMaxLength)] string? Description,
    DateTimeOffset? OccurredAt,
    [property: MaxLength(EventBody.IpMaxLength)] string? SourceIp,
    [property: MaxLength(EventBody.IpMaxLength)] string? DestinationIp,
    JsonElement? Metadata,
    [property: MaxLength(SecurityEvent.ExternalIdMaxLength)] string? ExternalId,
    DetectionBody? Detection = null)
{
    /// <summary>The longest text form of an IPv6 address with an IPv4 tail.</summary>
    public const int IpMaxLength = 45;

    /// <summary>The typed input, or the one 400 naming every field that cannot be read.</summary>
    public EventInput Read()
    {
        var fields = new WireFields();
        var input = Read(fields);
        return fields.Result(() => input!);
    }

    /// <summary>The typed input; null when a field cannot be read (each is recorded in <paramref name="fields"/>).</summary>
    public EventInput? Read(WireFields fields)
    {
        var severity = fields.Enum<Severity>(Severity, "severity", required: true);
        var source = fields.Text(Source, "source");
        var eventType = fields.Text(EventType, "event_type");
        var description = fields.Text(Description, "description");
        var externalId = fields.Text(ExternalId, "external_id");
        var sourceIp = fields.Ip(SourceIp, "source_ip");
        var destinationIp = fields.Ip(DestinationIp, "destination_ip");
        var metadata = MetadataText(fields);
        var detection = Detection?.Read(fields);
        return !fields.IsValid ? null : new EventInput
        {
            Source = source?.Trim() ?? string.Empty,
            EventType = eventType?.Trim() ?? string.Empty,
            Severity = severity!.Value,
            Description = description,
            OccurredAt = OccurredAt?.ToUniversalTime(),
            SourceIp = sourceIp,
            DestinationIp = destinationIp,
            Metadata = metadata,
            ExternalId = externalId?.Trim(),
            Detection = detection,
        };
    }

    private string? MetadataText(WireFields fields)
    {
        switch (Metadata)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                return null;
            case { ValueKind: JsonValueKind.Object } metadata when JsonText.IsStorable(metadata):
                return metadata.GetRawText();
            case { ValueKind: JsonValueKind.Object }:
                fields.Fail("metadata", StorableText.Message("metadata"));
                return null;
            default:
                fields.Fail("metadata", "metadata must be a JSON object.");
                return null;
        }
    }
}

/// <summary>A detection model's verdict on the wire: model and confidence are required; technique is a MITRE ATT&amp;CK id.</summary>
public sealed record DetectionBody(
    [property: Required, MaxLength(Detection.ModelMaxLength)] string? Model,
    [property: MaxLength(Detection.ModelVersionMaxLength)] string? ModelVersion,
    [property: Required, Range(0.0, 1.0)] double? Confidence,
    [property: MaxLength(Detection.TechniqueMaxLength), RegularExpression(Detection.TechniquePattern)] string? Technique)
{
    public Detection? Read(WireFields fields)
    {
        var model = fields.Text(Model, "detection.model");
        var version = fields.Text(ModelVersion, "detection.model_version");
        var technique = fields.Text(Technique, "detection.technique");
        if (model is null)
        {
            fields.Fail("detection.model", "detection.model is required.");
        }

        if (Confidence is null)
        {
            fields.Fail("detection.confidence", "detection.confidence is required.");
        }

        return model is null || Confidence is null
            ? null
            : new Detection(model.Trim(), version?.Trim(), Confidence.Value, technique?.Trim().ToUpperInvariant());
    }
}
