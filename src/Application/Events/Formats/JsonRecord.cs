using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// The JSON formats' common ground: one UTF-8 line read as one JSON object (at most 64 levels deep, no repeated
/// property name, no comments), every string in it storable, fields found by dotted path whether the record nests them
/// (<c>{"event": {"action": …}}</c>) or dots their names (<c>{"event.action": …}</c>) or mixes both, and metadata that
/// is the record without the fields an event column took.
/// </summary>
internal static class JsonRecord
{
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    public delegate RecordParseResult Mapper(JsonElement record, RecordContext context, string raw);

    public static RecordParseResult Parse(ReadOnlySpan<byte> utf8Line, RecordContext context, Mapper map)
    {
        utf8Line = RecordText.WithoutLineEnd(utf8Line);
        if (RecordText.Refusal(utf8Line) is { } refusal)
        {
            return refusal;
        }

        var raw = Encoding.UTF8.GetString(utf8Line);

        // JsonDocument reads from memory it does not copy: lend it a pooled copy of the line for as long as it lives.
        var buffer = ArrayPool<byte>.Shared.Rent(utf8Line.Length);
        try
        {
            utf8Line.CopyTo(buffer);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(buffer.AsMemory(0, utf8Line.Length), Options);
            }
            catch (JsonException e)
            {
                return new RecordFailure("json", (int)(e.BytePositionInLine ?? 0), $"not a valid JSON record (truncated, a property repeated, or nested deeper than {MaxDepth} levels?): {FirstSentence(e.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The repeated-name check reads every property name: a name escaping an unpaired surrogate is not text.
                return RecordText.Surrogate("json", 0);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return new RecordFailure("json", 0, "the record is not a JSON object.");
                }

                return Unstorable(root, string.Empty) is { } failure ? failure : map(root, context, raw);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The value at <paramref name="path"/> (dots between names), nested or dotted or both.</summary>
    public static bool TryGet(JsonElement obj, string path, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (obj.TryGetProperty(path, out value))
        {
            return true;
        }

        for (var dot = path.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = path.IndexOf('.', dot + 1))
        {
            if (obj.TryGetProperty(path.AsSpan(0, dot), out var child) && TryGet(child, path[(dot + 1)..], out value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text at <paramref name="path"/>: a string as it is, a number as written; null for anything else.</summary>
    public static string? Scalar(JsonElement root, string path) =>
        TryGet(root, path, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    public static string? Text(JsonElement root, string path) =>
        TryGet(root, path, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A whole number at <paramref name="path"/>, given as a JSON number or as digits in a string.</summary>
    public static bool TryInteger(JsonElement root, string path, out long number, out bool present)
    {
        number = 0;
        present = TryGet(root, path, out var value) && value.ValueKind != JsonValueKind.Null;
        return present && value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out number),
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    public static RecordFailure? Ip(JsonElement root, string path, out IPAddress? ip)
    {
        ip = null;
        if (!TryGet(root, path, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        if (text is { Length: > 0 } && IPAddress.TryParse(text, out var parsed)
            && (parsed.AddressFamily == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3))
        {
            ip = parsed;
            return null;
        }

        return new RecordFailure(path, 0, "not an IPv4 or IPv6 address.");
    }

    /// <summary>An RFC 3339 / ISO 8601 time given as a string (EVE's <c>+0000</c> offsets included); null when absent.</summary>
    public static RecordFailure? Time(JsonElement root, string path, out DateTimeOffset? at)
    {
        at = null;
        if (!TryGet(root, path, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && RecordTime.TryParseRfc3339(value.GetString().AsSpan().Trim(), strict: false, out var parsed))
        {
            at = parsed;
            return null;
        }

        return new RecordFailure(path, 0, "not an ISO 8601 date-time (e.g. 2026-11-24T10:00:00.123456+0000).");
    }

    /// <summary>
    /// Writes the record's properties except those at the <paramref name="consumed"/> dotted paths; an object left
    /// with nothing is left out. Arrays are kept whole.
    /// </summary>
    public static void WriteRest(Utf8JsonWriter w, JsonElement obj, IReadOnlySet<string> consumed, string path = "")
    {
        foreach (var property in obj.EnumerateObject())
        {
            var childPath = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (consumed.Contains(childPath))
            {
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Object && consumed.Any(c => c.StartsWith(childPath + ".", StringComparison.Ordinal)))
            {
                if (!KeepsAnything(property.Value, consumed, childPath))
                {
                    continue;
                }

                w.WriteStartObject(property.Name);
                WriteRest(w, property.Value, consumed, childPath);
                w.WriteEndObject();
                continue;
            }

            property.WriteTo(w);
        }
    }

    private static bool KeepsAnything(JsonElement obj, IReadOnlySet<string> consumed, string path)
    {
        foreach (var property in obj.EnumerateObject())
        {
            var childPath = $"{path}.{property.Name}";
            if (!consumed.Contains(childPath)
                && (property.Value.ValueKind != JsonValueKind.Object || KeepsAnything(property.Value, consumed, childPath)
                    || !property.Value.EnumerateObject().Any()))
            {
                return true;
            }
        }

        return false;
    }

    // Every name and string must be storable text: a \u0000 or an unpaired \uD800 escape is valid JSON but neither
    // text nor jsonb can hold it.
    private static RecordFailure? Unstorable(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return RecordText.Surrogate(path.Length == 0 ? "json" : path, 0);
                    }

                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (RecordText.UnstorableAt(name) is { } at)
                    {
                        return name[at] == '\0' ? RecordText.Nul(childPath, 0) : RecordText.Surrogate(childPath, 0);
                    }

                    if (Unstorable(property.Value, childPath) is { } failure)
                    {
                        return failure;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Unstorable(item, $"{path}[{index++}]") is { } failure)
                    {
                        return failure;
                    }
                }

                return null;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    return RecordText.Surrogate(path, 0);
                }

                return RecordText.UnstorableAt(text) is { } textAt
                    ? text[textAt] == '\0' ? RecordText.Nul(path, textAt) : RecordText.Surrogate(path, textAt)
                    : null;
            default:
                return null;
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
