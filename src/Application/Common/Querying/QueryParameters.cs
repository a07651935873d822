using System.Globalization;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Common.Querying;

/// <summary>
/// Reads list parameters as the original platform took them (repeatable or comma-separated enums, ISO 8601 dates,
/// DRF's <c>ordering</c>) and collects every bad one, keyed by the parameter's wire name, into one 400.
/// </summary>
public sealed class QueryParameters
{
    public const int MaxSearchLength = 200;

    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    /// <summary>Values given as <c>?status=OPEN&amp;status=ACKNOWLEDGED</c> or <c>?status=OPEN,ACKNOWLEDGED</c>; empty means no filter.</summary>
    public IReadOnlyList<TEnum> EnumList<TEnum>(IReadOnlyList<string>? values, string parameter)
        where TEnum : struct, Enum
    {
        var parsed = new List<TEnum>();
        foreach (var item in Split(values))
        {
            if (WireNames.TryParseWire<TEnum>(item, out var value))
            {
                if (!parsed.Contains(value))
                {
                    parsed.Add(value);
                }
            }
            else
            {
                Fail(parameter, $"'{Shorten(item)}' is not one of {string.Join(", ", WireNames.AllWire<TEnum>())}.");
            }
        }

        return parsed;
    }

    /// <summary>An ISO 8601 date (<c>2026-11-24</c>, read as midnight UTC) or date-time; a time without offset is UTC.</summary>
    public DateTimeOffset? Date(string? text, string parameter)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];
        if (DateTimeOffset.TryParseExact(
                text.Trim().Replace(' ', 'T'),
                formats,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var value))
        {
            return value;
        }

        Fail(parameter, $"'{Shorten(text)}' is not an ISO 8601 date or date-time (e.g. 2026-11-24 or 2026-11-24T10:00:00Z).");
        return null;
    }

    /// <summary>A search term, trimmed; empty means no search.</summary>
    public string? Search(string? text, string parameter = "search")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var term = text.Trim();
        if (term.Length > MaxSearchLength)
        {
            Fail(parameter, $"search must be at most {MaxSearchLength} characters.");
            return null;
        }

        return term;
    }

    /// <summary>An exact-match text filter, bounded by the column's length.</summary>
    public string? Text(string? text, string parameter, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > maxLength)
        {
            Fail(parameter, $"{parameter} must be at most {maxLength} characters.");
            return null;
        }

        return text.Trim();
    }

    /// <summary>DRF's <c>ordering</c>: one field, optionally prefixed with <c>-</c> for descending.</summary>
    public Ordering<TField> Ordering<TField>(
        string? text,
        IReadOnlyDictionary<string, TField> fields,
        Ordering<TField> fallback,
        string parameter = "ordering")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        var name = text.Trim();
        var descending = name.StartsWith('-');
        if (fields.TryGetValue(descending ? name[1..] : name, out var field))
        {
            return new Ordering<TField>(field, descending);
        }

        Fail(parameter, $"'{Shorten(text)}' is not an ordering; use one of {string.Join(", ", fields.Keys)}, each with an optional '-' for descending.");
        return fallback;
    }

    public int Page(int? page)
    {
        if (page is < 1)
        {
            Fail("page", "page must be 1 or more.");
            return 1;
        }

        return page ?? 1;
    }

    /// <summary>Throws the one 400 naming every bad parameter, if any was bad.</summary>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new RequestValidationException(_errors);
        }
    }

    private void Fail(string parameter, string message) =>
        _errors[parameter] = _errors.TryGetValue(parameter, out var existing) ? [.. existing, message] : [message];

    private static IEnumerable<string> Split(IReadOnlyList<string>? values) =>
        (values ?? [])
            .SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}

/// <summary>One ordering field and its direction.</summary>
public readonly record struct Ordering<TField>(TField Field, bool Descending);
