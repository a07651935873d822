using NJsonSchema;
using NJsonSchema.Generation;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>
/// A property that is never null is always on the wire, so the schema lists it as required: a generated client then
/// types it as present (<c>id: number</c>, not <c>id?: number</c>). Nullable properties stay optional.
/// </summary>
internal sealed class RequireNonNullableProperties : ISchemaProcessor
{
    public void Process(SchemaProcessorContext context)
    {
        foreach (var (name, property) in context.Schema.ActualProperties)
        {
            if (!property.IsNullable(SchemaType.OpenApi3) && !context.Schema.RequiredProperties.Contains(name))
            {
                context.Schema.RequiredProperties.Add(name);
            }
        }
    }
}
