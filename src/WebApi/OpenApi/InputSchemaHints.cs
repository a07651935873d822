using Namotion.Reflection;
using NJsonSchema;
using NJsonSchema.Generation;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;
using ThreatPlatform.WebApi.Endpoints;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>
/// What the validators enforce on input that arrives as text (so that a bad value is a 400 naming the field), told to
/// the OpenAPI document: required fields, maximum lengths and the enum a text field accepts. Application types cannot
/// carry schema attributes, so their hints live here; WebApi body records may use attributes instead
/// (<c>[property: Required, MaxLength(n)]</c>, <c>[property: JsonSchemaType(typeof(SomeEnum))]</c>).
/// </summary>
internal sealed class InputSchemaHints : ISchemaProcessor
{
    /// <summary>The longest text form of an IPv6 address with an IPv4 tail (45 characters).</summary>
    private const int IpMaxLength = 45;

    public void Process(SchemaProcessorContext context)
    {
        var type = context.ContextualType.Type;
        if (type == typeof(EventInput))
        {
            Required(context, "source", "event_type", "severity");
            MaxLength(context, "source", SecurityEvent.SourceMaxLength);
            MaxLength(context, "event_type", SecurityEvent.EventTypeMaxLength);
            MaxLength(context, "description", SecurityEvent.DescriptionMaxLength);
            MaxLength(context, "external_id", SecurityEvent.ExternalIdMaxLength);
            MaxLength(context, "source_ip", IpMaxLength);
            MaxLength(context, "destination_ip", IpMaxLength);
            Enum<Severity>(context, "severity", nullable: false);
        }
        else if (type == typeof(AlertEndpoints.UpdateStatusBody))
        {
            Required(context, "status");
            Enum<AlertStatus>(context, "status", nullable: false);
            MaxLength(context, "note", AlertStatusChange.NoteMaxLength);
        }
    }

    private static void Required(SchemaProcessorContext context, params string[] names)
    {
        foreach (var name in names)
        {
            context.Schema.RequiredProperties.Add(name);
            if (context.Schema.Properties.TryGetValue(name, out var property))
            {
                property.IsNullableRaw = false;
            }
        }
    }

    private static void MaxLength(SchemaProcessorContext context, string name, int maxLength)
    {
        if (context.Schema.Properties.TryGetValue(name, out var property))
        {
            property.MaxLength = maxLength;
        }
    }

    private static void Enum<TEnum>(SchemaProcessorContext context, string name, bool nullable)
        where TEnum : struct, Enum
    {
        var property = context.Generator.GenerateWithReferenceAndNullability<JsonSchemaProperty>(
            typeof(TEnum).ToContextualType(), nullable, context.Resolver);
        property.IsNullableRaw = nullable ? true : null;
        context.Schema.Properties[name] = property;
    }
}
