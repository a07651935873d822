using System.Globalization;
using System.Text.RegularExpressions;

namespace ThreatPlatform.Application.Rules.Sigma;

/// <summary>A condition the parser refused, at a 0-based offset in the condition text.</summary>
internal sealed class ConditionError(int offset, string message) : Exception(message)
{
    public int Offset { get; } = offset;
}

/// <summary>The older aggregation after a pipe: <c>| count([field]) [by field] op N</c>.</summary>
internal sealed record Aggregation(string? CountedField, string? GroupBy, CountCondition Condition);

/// <summary>
/// Sigma's condition language, parsed by recursive descent with the usual precedence (<c>not</c> binds tighter than
/// <c>and</c>, which binds tighter than <c>or</c>), parentheses, <c>1 of</c>/<c>all of</c> a wildcard pattern or
/// <c>them</c> (every search identifier not starting with <c>_</c>), and compiled straight into a predicate.
/// </summary>
internal sealed partial class SigmaCondition
{
    private readonly string _text;
    private readonly IReadOnlyDictionary<string, Func<SigmaEvent, bool>> _identifiers;
    private readonly List<Token> _tokens;
    private int _at;

    private SigmaCondition(string text, IReadOnlyDictionary<string, Func<SigmaEvent, bool>> identifiers)
    {
        _text = text;
        _identifiers = identifiers;
        _tokens = Tokenize(text);
    }

    private enum Kind
    {
        Word,
        Open,
        Close,
        End,
    }

    /// <summary>The predicate the condition describes, and its aggregation if it has one (after <c>|</c>).</summary>
    public static (Func<SigmaEvent, bool> Predicate, Aggregation? Aggregation) Compile(
        string text,
        IReadOnlyDictionary<string, Func<SigmaEvent, bool>> identifiers)
    {
        var pipe = text.IndexOf('|', StringComparison.Ordinal);
        var expression = pipe < 0 ? text : text[..pipe];
        var parser = new SigmaCondition(expression, identifiers);
        var predicate = parser.ParseOr();
        if (parser.Peek.Kind != Kind.End)
        {
            throw new ConditionError(parser.Peek.Offset, $"Unexpected '{parser.Peek.Text}': expected 'and', 'or' or the end of the condition.");
        }

        return (predicate, pipe < 0 ? null : ParseAggregation(text[(pipe + 1)..], pipe + 1));
    }

    private Token Peek => _tokens[_at];

    private Func<SigmaEvent, bool> ParseOr()
    {
        var terms = new List<Func<SigmaEvent, bool>> { ParseAnd() };
        while (IsWord(Peek, "or"))
        {
            _at++;
            terms.Add(ParseAnd());
        }

        return Any(terms);
    }

    private Func<SigmaEvent, bool> ParseAnd()
    {
        var terms = new List<Func<SigmaEvent, bool>> { ParseNot() };
        while (IsWord(Peek, "and"))
        {
            _at++;
            terms.Add(ParseNot());
        }

        return All(terms);
    }

    private Func<SigmaEvent, bool> ParseNot()
    {
        if (IsWord(Peek, "not"))
        {
            _at++;
            var inner = ParseNot();
            return e => !inner(e);
        }

        return ParsePrimary();
    }

    private Func<SigmaEvent, bool> ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case Kind.Open:
                _at++;
                var inner = ParseOr();
                if (Peek.Kind != Kind.Close)
                {
                    throw new ConditionError(Peek.Offset, "A '(' is not closed: expected ')'.");
                }

                _at++;
                return inner;
            case Kind.End:
                throw new ConditionError(token.Offset, "The condition ends where a search identifier, 'not', '(' or '1 of'/'all of' was expected.");
            case Kind.Close:
                throw new ConditionError(token.Offset, "Unexpected ')'.");
            default:
                break;
        }

        if (IsWord(token, "and") || IsWord(token, "or") || IsWord(token, "of") || IsWord(token, "them"))
        {
            throw new ConditionError(token.Offset, $"Unexpected '{token.Text}': expected a search identifier, 'not', '(' or '1 of'/'all of'.");
        }

        _at++;
        if (IsWord(Peek, "of"))
        {
            return ParseQuantifier(token);
        }

        if (token.Text.Contains('*', StringComparison.Ordinal))
        {
            throw new ConditionError(token.Offset, $"'{token.Text}' is a pattern: write '1 of {token.Text}' or 'all of {token.Text}'.");
        }

        return _identifiers.TryGetValue(token.Text, out var predicate)
            ? predicate
            : throw new ConditionError(token.Offset, $"'{token.Text}' is not a search identifier of this rule's detection.");
    }

    private Func<SigmaEvent, bool> ParseQuantifier(Token quantifier)
    {
        var all = string.Equals(quantifier.Text, "all", StringComparison.OrdinalIgnoreCase);
        if (!all && quantifier.Text != "1" && !string.Equals(quantifier.Text, "any", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConditionError(quantifier.Offset, $"'{quantifier.Text} of' is not supported: write '1 of' or 'all of'.");
        }

        _at++;
        var target = Peek;
        if (target.Kind != Kind.Word)
        {
            throw new ConditionError(target.Offset, "Expected a search identifier pattern or 'them' after 'of'.");
        }

        _at++;
        List<Func<SigmaEvent, bool>> selected;
        if (IsWord(target, "them"))
        {
            selected = [.. _identifiers.Where(i => !i.Key.StartsWith('_')).Select(i => i.Value)];
        }
        else
        {
            var pattern = new Regex(
                "^" + Regex.Escape(target.Text).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
                RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            selected = [.. _identifiers.Where(i => pattern.IsMatch(i.Key)).Select(i => i.Value)];
        }

        if (selected.Count == 0)
        {
            throw new ConditionError(target.Offset, $"'{target.Text}' names no search identifier of this rule's detection.");
        }

        return all ? All(selected) : Any(selected);
    }

    private static Func<SigmaEvent, bool> Any(List<Func<SigmaEvent, bool>> terms)
    {
        if (terms.Count == 1)
        {
            return terms[0];
        }

        var array = terms.ToArray();
        return e =>
        {
            foreach (var term in array)
            {
                if (term(e))
                {
                    return true;
                }
            }

            return false;
        };
    }

    private static Func<SigmaEvent, bool> All(List<Func<SigmaEvent, bool>> terms)
    {
        if (terms.Count == 1)
        {
            return terms[0];
        }

        var array = terms.ToArray();
        return e =>
        {
            foreach (var term in array)
            {
                if (!term(e))
                {
                    return false;
                }
            }

            return true;
        };
    }

    private static bool IsWord(Token token, string word) =>
        token.Kind == Kind.Word && string.Equals(token.Text, word, StringComparison.OrdinalIgnoreCase);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(new Token(c == '(' ? Kind.Open : Kind.Close, c.ToString(), i));
                i++;
            }
            else if (IsIdentifierChar(c))
            {
                var start = i;
                while (i < text.Length && IsIdentifierChar(text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Word, text[start..i], start));
            }
            else
            {
                throw new ConditionError(i, $"'{c}' cannot appear in a condition.");
            }
        }

        tokens.Add(new Token(Kind.End, string.Empty, text.Length));
        return tokens;
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '*';

    private static Aggregation ParseAggregation(string text, int offset)
    {
        var match = AggregationPattern().Match(text);
        if (!match.Success)
        {
            var function = FunctionPattern().Match(text);
            throw new ConditionError(
                offset + (function.Success ? function.Index : 0),
                function.Success && !string.Equals(function.Groups[1].Value, "count", StringComparison.OrdinalIgnoreCase)
                    ? $"The aggregation '{function.Groups[1].Value}()' is not supported: only count() is (or a correlation rule)."
                    : "Expected an aggregation of the form 'count([field]) [by field] > N' after '|'.");
        }

        var n = long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        var condition = match.Groups["op"].Value switch
        {
            ">" => new CountCondition(n + 1, null),
            ">=" => new CountCondition(n, null),
            "=" or "==" => new CountCondition(n, n),
            _ => throw new ConditionError(
                offset + match.Groups["op"].Index,
                "'<' and '<=' need a scheduled search for what did not arrive: counts are taken as events arrive, so only '>', '>=' and '==' are supported."),
        };
        return new Aggregation(
            match.Groups["field"].Value is { Length: > 0 } field ? field : null,
            match.Groups["by"].Success ? match.Groups["by"].Value : null,
            condition);
    }

    [GeneratedRegex(@"^\s*count\s*\(\s*(?<field>[\w.\-]*)\s*\)\s*(?:by\s+(?<by>[\w.\-]+)\s*)?(?<op>>=|<=|==|=|>|<)\s*(?<n>\d{1,9})\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AggregationPattern();

    [GeneratedRegex(@"(\w+)\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionPattern();

    private readonly record struct Token(Kind Kind, string Text, int Offset);
}
