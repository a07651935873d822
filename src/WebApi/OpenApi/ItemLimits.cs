using System.Reflection;
using System.Text.Json;
using NJsonSchema.Generation;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>
/// Bounds of each item of a list a body takes (a tag's length and form, an id's range): MaxLength and Range describe
/// the list itself, this its items.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ItemLimitsAttribute : Attribute
{
    public int MaxLength { get; init; }

    public string? Pattern { get; init; }

    public long Minimum { get; init; } = long.MinValue;

    public long Maximum { get; init; } = long.MaxValue;
}

/// <summary>Copies <see cref="ItemLimitsAttribute"/> onto the items schema of the property it marks.</summary>
internal sealed class ApplyItemLimits : ISchemaProcessor
{
    public void Process(SchemaProcessorContext context)
    {
        foreach (var property in context.ContextualType.Type.GetProperties())
        {
            if (property.GetCustomAttribute<ItemLimitsAttribute>() is not { } limits
                || !context.Schema.ActualProperties.TryGetValue(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name), out var schema)
                || schema.Item is not { } item)
            {
                continue;
            }

            if (limits.MaxLength > 0)
            {
                item.MaxLength = limits.MaxLength;
                item.MinLength = 1;
                item.IsNullableRaw = false;
            }

            item.Pattern = limits.Pattern ?? item.Pattern;
            if (limits.Minimum != long.MinValue || limits.Maximum != long.MaxValue)
            {
                item.Minimum = limits.Minimum;
                item.Maximum = limits.Maximum;
            }
        }
    }
}
