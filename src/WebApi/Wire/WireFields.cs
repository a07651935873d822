using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Exceptions;

namespace ThreatPlatform.WebApi.Wire;

/// <summary>
/// Reads wire text (a body's string fields, a query string's values) into the types the Application speaks, and
/// collects every bad field under its snake_case name, so one 400 names them all. Parsing only: limits (lengths of
/// stored text, ranges, forms such as a tag's) and cross-field rules are checked where they are declared, in the
/// Application's validators, the Domain's entities or a list's <c>ListSpec</c>.
/// </summary>
public sealed class WireFields
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
    ];

    // Made on the first failure: a batch reads one of these per item, and most items have none.
    private Dictionary<string, List<string>>? _errors;

    public bool IsValid => _errors is null;

    public IReadOnlyDictionary<string, string[]> Errors =>
        (_errors ?? []).ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Fail(string field, string message)
    {
        _errors ??= new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        if (!messages.Contains(message))
        {
            messages.Add(message);
        }
    }

    /// <summary>The typed request when every field read, else the one 400 naming each bad field.</summary>
    public T Result<T>(Func<T> build) => IsValid ? build() : throw new RequestValidationException(Errors);

    /// <summary>An enum member in its wire spelling, any case; null when absent (a 400 when <paramref name="required"/>).</summary>
    public TEnum? Enum<TEnum>(string? text, string field, bool required = false)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                Fail(field, $"{field} is required.");
            }

            return null;
        }

        if (WireEnum.TryParse<TEnum>(text, out var value))
        {
            return value;
        }

        Fail(field, $"'{Shorten(text)}' is not a valid {field}; use one of {WireEnum.OneOf(typeof(TEnum))}.");
        return null;
    }

    /// <summary>Text as sent, or null when blank; refused when PostgreSQL could not store it (NUL, lone surrogates).</summary>
    public string? Text(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!StorableText.IsStorable(text))
        {
            Fail(field, StorableText.Message(field));
            return null;
        }

        return text;
    }

    /// <summary>
    /// A list of tags as sent (the alert checks their form, so a malformed one is refused by the rule that owns it); an
    /// empty list when absent (a 400 when <paramref name="required"/>). A null or unstorable item is a 400 here.
    /// </summary>
    public IReadOnlyList<string> Tags(IReadOnlyList<string?>? tags, string field, bool required = false)
    {
        if (tags is null)
        {
            if (required)
            {
                Fail(field, $"{field} is required (an empty list clears them).");
            }

            return [];
        }

        var read = new List<string>(tags.Count);
        foreach (var tag in tags)
        {
            if (tag is null || !StorableText.IsStorable(tag))
            {
                Fail(field, $"{field} must be a list of texts.");
                continue;
            }

            read.Add(tag);
        }

        return read;
    }

    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address; null when blank.</summary>
    public IPAddress? Ip(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        if (IPAddress.TryParse(trimmed, out var ip)
            && (ip.AddressFamily == AddressFamily.InterNetworkV6
                || (ip.AddressFamily == AddressFamily.InterNetwork && trimmed.AsSpan().Count('.') == 3)))
        {
            return ip;
        }

        Fail(field, $"{field} must be an IPv4 or IPv6 address.");
        return null;
    }

    /// <summary>
    /// One query-string value as <paramref name="type"/>: text, bool, whole or decimal number, ISO 8601 date(-time)
    /// (a date alone is midnight UTC; no offset means UTC) or an enum member. Null when blank or bad (then recorded).
    /// </summary>
    public object? Value(Type type, string? text, string field)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (type == typeof(string))
        {
            return Text(text, field)?.Trim();
        }

        if (type.IsEnum)
        {
            if (WireEnum.TryParse(type, text, out var member))
            {
                return member;
            }

            Fail(field, $"'{Shorten(text)}' is not one of {WireEnum.OneOf(type)}.");
            return null;
        }

        var trimmed = text.Trim();
        object? value = type switch
        {
            _ when type == typeof(bool) => bool.TryParse(trimmed, out var b) ? b : null,
            _ when type == typeof(int) => int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null,
            _ when type == typeof(long) => long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null,
            _ when type == typeof(double) => double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParseExact(
                trimmed.Replace(' ', 'T'), DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null,
            _ => throw new NotSupportedException($"No wire form for {type.Name}."),
        };
        if (value is null)
        {
            Fail(field, Expected(type, text, field));
        }

        return value;
    }

    /// <summary>Values given as <c>?x=A&amp;x=B</c> or <c>?x=A,B</c>, each as <paramref name="itemType"/>, without repeats.</summary>
    public IReadOnlyList<object> List(Type itemType, IEnumerable<string?> values, string field)
    {
        var parsed = new List<object>();
        foreach (var item in values.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (Value(itemType, item, field) is { } value && !parsed.Contains(value))
            {
                parsed.Add(value);
            }
        }

        return parsed;
    }

    private static string Expected(Type type, string text, string field) => type switch
    {
        _ when type == typeof(bool) => $"{field} must be true or false.",
        _ when type == typeof(int) || type == typeof(long) => $"{field} must be a whole number.",
        _ when type == typeof(double) => $"{field} must be a number.",
        _ => $"'{Shorten(text)}' is not an ISO 8601 date or date-time (e.g. 2026-11-24 or 2026-11-24T10:00:00Z).",
    };

    internal static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
