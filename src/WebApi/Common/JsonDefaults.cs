using System.Text.Json;
using System.Text.Json.Serialization;
using ThreatPlatform.Application.Common;

namespace ThreatPlatform.WebApi.Common;

/// <summary>The wire's JSON shape: snake_case properties, UPPER_SNAKE enums, as the original platform spoke.</summary>
public static class JsonDefaults
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new UtcDateTimeOffsetConverter());
        options.Converters.Add(new JsonStringEnumConverter(WireEnum.Policy, allowIntegerValues: false));
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = 32;

        // A repeated property name is ambiguous (which one wins depends on the parser): refuse it (400).
        options.AllowDuplicateProperties = false;
    }
}
