using System.Reflection;
using System.Text.Json;
using NJsonSchema.Generation;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>The longest text each item of a wire list of strings may be (e.g. a sensor's sources); told to the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ItemMaxLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;
}

/// <summary>Sets <c>items.maxLength</c> for every property marked <see cref="ItemMaxLengthAttribute"/>.</summary>
internal sealed class ItemMaxLengths : ISchemaProcessor
{
    public void Process(SchemaProcessorContext context)
    {
        foreach (var property in context.ContextualType.Type.GetProperties())
        {
            if (property.GetCustomAttribute<ItemMaxLengthAttribute>() is { } bound
                && context.Schema.Properties.TryGetValue(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name), out var schema)
                && schema.Item is { } item)
            {
                item.MaxLength = bound.Length;
            }
        }
    }
}
