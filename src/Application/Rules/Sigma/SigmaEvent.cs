using System.Globalization;
using System.Text.Json;

namespace ThreatPlatform.Application.Rules.Sigma;

/// <summary>
/// An event as detection rules read it. A rule's field name is one of the event's own fields by its wire name
/// (<c>source</c>, <c>event_type</c>, <c>severity</c>, <c>description</c>, <c>source_ip</c>, <c>destination_ip</c>,
/// <c>external_id</c>); any other name is looked up in <c>metadata</c>: the key itself, then as a dotted path. Values are
/// read once per event and field (a thousand rules asking for <c>CommandLine</c> parse it once).
/// </summary>
public sealed class SigmaEvent
{
    private static readonly string?[] NullValue = [null];

    private readonly Dictionary<string, FieldValues> _cache = new(StringComparer.Ordinal);
    private readonly JsonElement? _metadata;

    public SigmaEvent(
        string source,
        string eventType,
        string severity,
        string description,
        string? sourceIp,
        string? destinationIp,
        string? externalId,
        JsonElement? metadata,
        DateTimeOffset occurredAt,
        SigmaLogsource? logsource = null)
    {
        Logsource = logsource;
        Source = source;
        EventType = eventType;
        Severity = severity;
        Description = description;
        SourceIp = sourceIp;
        DestinationIp = destinationIp;
        ExternalId = externalId;
        _metadata = metadata is { ValueKind: JsonValueKind.Object } ? metadata : null;
        OccurredAt = occurredAt;
    }

    public string Source { get; }
    public string EventType { get; }
    public string Severity { get; }
    public string Description { get; }
    public string? SourceIp { get; }
    public string? DestinationIp { get; }
    public string? ExternalId { get; }
    public DateTimeOffset OccurredAt { get; }

    /// <summary>The logsource of the sensor that sent the event (null: none, or no sensor).</summary>
    public SigmaLogsource? Logsource { get; }

    /// <summary>The field's values: none when absent, one <c>null</c> for a JSON null, each element of an array.</summary>
    internal FieldValues Get(string field)
    {
        if (!_cache.TryGetValue(field, out var values))
        {
            values = Read(field);
            _cache[field] = values;
        }

        return values;
    }

    /// <summary>The text a keyword searches: the description and every string or number in metadata.</summary>
    internal IEnumerable<string> Texts()
    {
        yield return Description;
        if (_metadata is { } metadata)
        {
            foreach (var text in Scalars(metadata))
            {
                yield return text;
            }
        }
    }

    /// <summary>The field's first value as text (group-by keys, value_count values); empty when absent or null.</summary>
    internal string KeyOf(string field) => Get(field) is { Found: true } v ? v.Values[0] ?? string.Empty : string.Empty;

    private FieldValues Read(string field) => field switch
    {
        "source" => FieldValues.Of(Source),
        "event_type" => FieldValues.Of(EventType),
        "severity" => FieldValues.Of(Severity),
        "description" => FieldValues.Of(Description),
        "source_ip" => FieldValues.Of(SourceIp),
        "destination_ip" => FieldValues.Of(DestinationIp),
        "external_id" => FieldValues.Of(ExternalId),
        _ => FromMetadata(field),
    };

    private FieldValues FromMetadata(string field)
    {
        if (_metadata is not { } metadata)
        {
            return FieldValues.Absent;
        }

        if (metadata.TryGetProperty(field, out var direct))
        {
            return ValuesOf(direct);
        }

        if (!field.Contains('.', StringComparison.Ordinal))
        {
            return FieldValues.Absent;
        }

        var node = metadata;
        foreach (var part in field.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node))
            {
                return FieldValues.Absent;
            }
        }

        return ValuesOf(node);
    }

    private static FieldValues ValuesOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => new FieldValues(true, NullValue),
        JsonValueKind.Array => new FieldValues(true, [.. element.EnumerateArray().Select(TextOf)]),
        _ => new FieldValues(true, [TextOf(element)]),
    };

    private static string? TextOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture) : element.GetRawText(),
        _ => element.GetRawText(),
    };

    private static IEnumerable<string> Scalars(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var text in Scalars(property.Value))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var text in Scalars(item))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValueKind.String or JsonValueKind.Number:
                yield return TextOf(element)!;
                break;
            default:
                break;
        }
    }
}

/// <summary>A field's values as rules compare them (text; null for a JSON null). Not <see cref="Found"/>: absent.</summary>
internal readonly record struct FieldValues(bool Found, string?[] Values)
{
    public static readonly FieldValues Absent = new(false, []);

    public static FieldValues Of(string? value) => value is null ? Absent : new FieldValues(true, [value]);
}
