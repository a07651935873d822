using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ThreatPlatform.Application.Rules.Sigma;

/// <summary>A test of one non-null field value, decided when the rule is compiled (never by re-reading the YAML per event).</summary>
internal abstract class ValueMatcher
{
    public abstract bool Matches(string value);
}

/// <summary>Sigma's null: the field is absent, or present with a null value.</summary>
internal sealed class NullMatcher : ValueMatcher
{
    public static readonly NullMatcher Instance = new();

    public override bool Matches(string value) => false;
}

internal sealed class EqualsMatcher(string text, bool cased) : ValueMatcher
{
    private readonly StringComparison _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    public override bool Matches(string value) => string.Equals(value, text, _comparison);
}

internal sealed class ContainsMatcher(string text, bool cased) : ValueMatcher
{
    private readonly StringComparison _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    public override bool Matches(string value) => value.Contains(text, _comparison);
}

internal sealed class StartsWithMatcher(string text, bool cased) : ValueMatcher
{
    private readonly StringComparison _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    public override bool Matches(string value) => value.StartsWith(text, _comparison);
}

internal sealed class EndsWithMatcher(string text, bool cased) : ValueMatcher
{
    private readonly StringComparison _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    public override bool Matches(string value) => value.EndsWith(text, _comparison);
}

/// <summary>Any of several variants (base64offset's three encodings).</summary>
internal sealed class AnyMatcher(IReadOnlyList<ValueMatcher> variants) : ValueMatcher
{
    public override bool Matches(string value)
    {
        foreach (var variant in variants)
        {
            if (variant.Matches(value))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// A pattern with <c>*</c>, <c>?</c> or character sets (windash): the classic two-pointer glob walk, which backtracks
/// only to the last star: O(pattern × value) at worst, never exponential.
/// </summary>
internal sealed class GlobMatcher(IReadOnlyList<PatternPart> parts, bool cased) : ValueMatcher
{
    private readonly PatternPart[] _parts = [.. parts];

    public override bool Matches(string value)
    {
        int p = 0, s = 0, starP = -1, starS = 0;
        while (s < value.Length)
        {
            if (p < _parts.Length && _parts[p].Kind != PatternKind.Star && _parts[p].Accepts(value[s], cased))
            {
                p++;
                s++;
            }
            else if (p < _parts.Length && _parts[p].Kind == PatternKind.Star)
            {
                starP = p++;
                starS = s;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                s = ++starS;
            }
            else
            {
                return false;
            }
        }

        while (p < _parts.Length && _parts[p].Kind == PatternKind.Star)
        {
            p++;
        }

        return p == _parts.Length;
    }
}

/// <summary>
/// A regular expression, bounded: .NET's non-backtracking engine (linear in the value) when the pattern allows it; a
/// pattern that needs backtracking (lookarounds, backreferences) runs with a match timeout, and a value that exceeds it
/// does not match. Either way a hostile pattern cannot stall ingest.
/// </summary>
internal sealed class RegexMatcher(Regex regex) : ValueMatcher
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    public override bool Matches(string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    public static RegexMatcher Create(string pattern, RegexOptions flags)
    {
        var options = flags | RegexOptions.CultureInvariant;
        try
        {
            return new RegexMatcher(new Regex(pattern, options | RegexOptions.NonBacktracking));
        }
        catch (NotSupportedException)
        {
            return new RegexMatcher(new Regex(pattern, options, Timeout));
        }
    }
}

internal sealed class CidrMatcher(IPNetwork network) : ValueMatcher
{
    public override bool Matches(string value) =>
        IPAddress.TryParse(value, out var address)
        && (address.AddressFamily == network.BaseAddress.AddressFamily
            ? network.Contains(address)
            : address.IsIPv4MappedToIPv6 && network.Contains(address.MapToIPv4()));
}

internal enum Comparison
{
    Gt,
    Gte,
    Lt,
    Lte,
}

internal sealed class NumberMatcher(Comparison comparison, decimal bound) : ValueMatcher
{
    public override bool Matches(string value) =>
        decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && comparison switch
        {
            Comparison.Gt => number > bound,
            Comparison.Gte => number >= bound,
            Comparison.Lt => number < bound,
            _ => number <= bound,
        };
}

internal enum PatternKind
{
    Char,
    One,
    Star,
    Set,
}

/// <summary>One position of a Sigma string: a character, <c>?</c>, <c>*</c>, or a set of characters (windash's dashes).</summary>
internal readonly record struct PatternPart(PatternKind Kind, char Char = '\0', string? Set = null)
{
    public bool Accepts(char c, bool cased) => Kind switch
    {
        PatternKind.One => true,
        PatternKind.Char => c == Char || (!cased && char.ToUpperInvariant(c) == char.ToUpperInvariant(Char)),
        PatternKind.Set => Set!.Contains(c, StringComparison.Ordinal),
        _ => false,
    };
}

/// <summary>Sigma strings: wildcards and escapes read into parts, and the cheapest matcher for the parts.</summary>
internal static class SigmaStrings
{
    /// <summary>windash: every dash a command-line flag can start with (hyphen, slash, en dash, em dash, horizontal bar).</summary>
    public const string Dashes = "-/\u2013\u2014\u2015";

    /// <summary>
    /// <c>*</c> any run, <c>?</c> one character; a backslash escapes <c>*</c>, <c>?</c> and itself, and before any
    /// other character is a plain backslash (so Windows paths need no doubling).
    /// </summary>
    public static List<PatternPart> Parse(string text)
    {
        var parts = new List<PatternPart>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '*' or '?' or '\\')
            {
                parts.Add(new PatternPart(PatternKind.Char, text[++i]));
            }
            else if (c == '*')
            {
                parts.Add(new PatternPart(PatternKind.Star));
            }
            else if (c == '?')
            {
                parts.Add(new PatternPart(PatternKind.One));
            }
            else
            {
                parts.Add(new PatternPart(PatternKind.Char, c));
            }
        }

        return parts;
    }

    public static List<PatternPart> Literal(string text) => [.. text.Select(c => new PatternPart(PatternKind.Char, c))];

    /// <summary>A <c>-</c> or <c>/</c> that starts a flag (after the start or a non-word character, before a word character) matches every dash.</summary>
    public static List<PatternPart> WithWindash(List<PatternPart> parts)
    {
        var result = new List<PatternPart>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var isDash = part is { Kind: PatternKind.Char, Char: '-' or '/' };
            var afterNonWord = i == 0 || parts[i - 1] is { Kind: PatternKind.Char } previous && !IsWord(previous.Char);
            var beforeWord = i + 1 < parts.Count && parts[i + 1] is { Kind: PatternKind.Char } next && IsWord(next.Char);
            result.Add(isDash && afterNonWord && beforeWord ? new PatternPart(PatternKind.Set, Set: Dashes) : part);
        }

        return result;
    }

    public static ValueMatcher Compile(List<PatternPart> parts, bool cased)
    {
        // Runs of stars are one star.
        var compact = new List<PatternPart>(parts.Count);
        foreach (var part in parts)
        {
            if (part.Kind != PatternKind.Star || compact.Count == 0 || compact[^1].Kind != PatternKind.Star)
            {
                compact.Add(part);
            }
        }

        var leading = compact.Count > 0 && compact[0].Kind == PatternKind.Star;
        var trailing = compact.Count > (leading ? 1 : 0) && compact[^1].Kind == PatternKind.Star;
        var inner = compact.Skip(leading ? 1 : 0).Take(compact.Count - (leading ? 1 : 0) - (trailing ? 1 : 0)).ToList();
        if (inner.All(p => p.Kind == PatternKind.Char))
        {
            var text = new string([.. inner.Select(p => p.Char)]);
            return (leading, trailing) switch
            {
                (true, true) => new ContainsMatcher(text, cased),
                (false, true) => new StartsWithMatcher(text, cased),
                (true, false) => new EndsWithMatcher(text, cased),
                _ => new EqualsMatcher(text, cased),
            };
        }

        return new GlobMatcher(compact, cased);
    }

    private static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';
}
