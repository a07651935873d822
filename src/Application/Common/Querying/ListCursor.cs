using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ThreatPlatform.Application.Common.Querying;

/// <summary>
/// A position in a list: the sort key values of the last row read (the ordering's key, its <c>then</c> key, the
/// tie-breaker) and the ordering they belong to. On the wire it is opaque: base64url of
/// <c>[version, ordering, [values…]]</c> followed by a checksum, so a cursor that was edited or truncated is refused
/// rather than read as another position. The checksum is not a secret: a cursor grants nothing (the filters and the
/// caller's rights come from the request, not from the cursor); it only makes any change detectable.
/// </summary>
public sealed record ListCursor(string Ordering, IReadOnlyList<object> Values)
{
    /// <summary>Bumped when the encoding changes; a cursor of another version is refused (400), never misread.</summary>
    public const int Version = 1;

    private const int ChecksumBytes = 8;

    /// <summary>True for the top of the list (an empty <c>cursor</c>): the first page, read by key.</summary>
    public bool IsStart => Values.Count == 0;

    /// <summary>The top of the list in <paramref name="ordering"/>: the first page, with a cursor in its next link.</summary>
    public static ListCursor Start(string ordering) => new(ordering, []);

    private const int MaxTextLength = 4096;

    /// <summary>The opaque text of this cursor, for the <c>cursor</c> query parameter.</summary>
    public string Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(Version);
            json.WriteStringValue(Ordering);
            json.WriteStartArray();
            foreach (var value in Values)
            {
                WriteValue(json, value);
            }

            json.WriteEndArray();
            json.WriteEndArray();
        }

        var payload = buffer.ToArray();
        var bytes = new byte[payload.Length + ChecksumBytes];
        payload.CopyTo(bytes, 0);
        Checksum(payload).CopyTo(bytes.AsSpan(payload.Length));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// Reads a cursor's text given the key types its ordering needs (<paramref name="keyTypes"/> by ordering name);
    /// false with a reason when it is not one this version wrote or names an ordering the list does not have.
    /// </summary>
    public static bool TryDecode(string text, Func<string, IReadOnlyList<Type>?> keyTypes, out ListCursor? cursor, out string? error)
    {
        cursor = null;
        error = "cursor is not a cursor this list gave out; use the next link of a page as it is.";
        if (text.Length is 0 or > MaxTextLength || !Base64Url.IsValid(text))
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length <= ChecksumBytes)
        {
            return false;
        }

        var payload = bytes.AsSpan(0, bytes.Length - ChecksumBytes);
        if (!CryptographicOperations.FixedTimeEquals(Checksum(payload), bytes.AsSpan(bytes.Length - ChecksumBytes)))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(payload.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != 3
                || root[0].ValueKind != JsonValueKind.Number || root[1].ValueKind != JsonValueKind.String
                || root[2].ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            if (!root[0].TryGetInt32(out var version) || version != Version)
            {
                error = "cursor was made by another version of this API; start again from the first page.";
                return false;
            }

            var ordering = root[1].GetString()!;
            if (keyTypes(ordering) is not { } types || root[2].GetArrayLength() != types.Count)
            {
                return false;
            }

            var values = new object[types.Count];
            for (var i = 0; i < types.Count; i++)
            {
                if (ReadValue(root[2][i], types[i]) is not { } value)
                {
                    return false;
                }

                values[i] = value;
            }

            cursor = new ListCursor(ordering, values);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True for the key types a cursor can carry (and a keyset comparison can order).</summary>
    public static bool CanCarry(Type type) =>
        type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(long) || type == typeof(int)
        || type == typeof(short) || type == typeof(double) || type == typeof(decimal) || type == typeof(string) || type.IsEnum;

    private static byte[] Checksum(ReadOnlySpan<byte> payload) => SHA256.HashData(payload)[..ChecksumBytes];

    private static void WriteValue(Utf8JsonWriter json, object value)
    {
        switch (value)
        {
            case DateTimeOffset at:
                json.WriteStringValue(at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime at:
                json.WriteStringValue(at.ToString("O", CultureInfo.InvariantCulture));
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case Enum member:
                json.WriteNumberValue(Convert.ToInt64(member, CultureInfo.InvariantCulture));
                break;
            case double number:
                json.WriteNumberValue(number);
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            default:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    // The value in the key's own type, or null when the JSON does not hold one.
    private static object? ReadValue(JsonElement element, Type type)
    {
        if (type == typeof(string))
        {
            return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            if (element.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParseExact(element.GetString(), "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                return null;
            }

            return type == typeof(DateTime) ? at.UtcDateTime : at;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (type == typeof(double))
        {
            return element.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;
        }

        if (type == typeof(decimal))
        {
            return element.TryGetDecimal(out var m) ? m : null;
        }

        if (!element.TryGetInt64(out var whole))
        {
            return null;
        }

        if (type.IsEnum)
        {
            var member = Enum.ToObject(type, whole);
            return Enum.IsDefined(type, member) ? member : null;
        }

        try
        {
            return Convert.ChangeType(whole, type, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
