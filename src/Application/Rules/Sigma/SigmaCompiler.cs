using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ThreatPlatform.Application.Rules.Sigma;

/// <summary>What is wrong with a Sigma document, where (1-based line and column of the YAML text).</summary>
public sealed record SigmaError(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

/// <summary>A Sigma document that is not valid Sigma, or uses what the platform does not support.</summary>
public sealed class SigmaException : Exception
{
    public SigmaException(IReadOnlyList<SigmaError> errors)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
    }

    public SigmaException()
        : this([])
    {
    }

    public SigmaException(string message)
        : this([new SigmaError(1, 1, message)])
    {
    }

    public SigmaException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new SigmaError(1, 1, message)];
    }

    public IReadOnlyList<SigmaError> Errors { get; }
}

/// <summary>
/// Sigma YAML to a compiled <see cref="SigmaRule"/>: one detection rule, or a correlation rule followed (or preceded) by
/// the rules it correlates in the same multi-document YAML, as the Sigma specification writes them. Every problem found
/// is reported with its line and column; nothing half-compiled ever comes out.
/// </summary>
public static class SigmaCompiler
{
    public const int MaxLength = 128 * 1024;

    private static readonly HashSet<string> UnsupportedModifiers = new(StringComparer.Ordinal)
    {
        "utf16", "utf16le", "utf16be", "wide", "expand", "fieldref", "minute", "hour", "day", "week", "month", "year",
    };

    private static readonly string[] Levels = ["informational", "low", "medium", "high", "critical"];

    public static SigmaRule Compile(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var context = new Context();
        var rule = context.CompileText(yaml);
        return context.Errors.Count == 0 && rule is not null ? rule : throw new SigmaException(context.Errors);
    }

    private sealed class Context
    {
        public List<SigmaError> Errors { get; } = [];

        public SigmaRule? CompileText(string yaml)
        {
            if (yaml.Length > MaxLength)
            {
                Error(1, 1, $"The document is longer than {MaxLength} characters.");
                return null;
            }

            var stream = new YamlStream();
            var parser = new Parser(new StringReader(yaml));
            try
            {
                stream.Load(parser);
            }
            catch (YamlException e)
            {
                Error((int)e.Start.Line, (int)e.Start.Column, $"Not valid YAML: {Inner(e).Message}");
                return null;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
            {
                // The YAML reader gives up on some broken inputs without a YamlException: the last token it read is where.
                var at = parser.Current?.End ?? Mark.Empty;
                Error((int)Math.Max(at.Line, 1), (int)Math.Max(at.Column, 1), "Not valid YAML: the text cannot be read from here on.");
                return null;
            }

            var documents = stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).ToList();
            if (documents.Count == 0)
            {
                Error(1, 1, "The document is empty: expected a Sigma rule.");
                return null;
            }

            foreach (var document in documents)
            {
                if (document.RootNode is not YamlMappingNode)
                {
                    Error(document.RootNode, "A Sigma rule is a YAML mapping (title, logsource, detection, …).");
                    return null;
                }
            }

            var roots = documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
            var correlations = roots.Where(r => Child(r, "correlation") is not null).ToList();
            if (correlations.Count == 0)
            {
                if (roots.Count > 1)
                {
                    Error(roots[1], "Only a correlation rule may be followed by other documents: save each detection rule on its own.");
                    return null;
                }

                return CompileDetectionRule(roots[0], allowAggregation: true);
            }

            if (correlations.Count > 1)
            {
                Error(correlations[1], "One correlation per rule: chained correlations are not supported.");
                return null;
            }

            return CompileCorrelationRule(correlations[0], [.. roots.Where(r => r != correlations[0])]);
        }

        private static Exception Inner(Exception e) => e.InnerException is YamlException inner ? Inner(inner) : e;

        private SigmaRule? CompileDetectionRule(YamlMappingNode root, bool allowAggregation)
        {
            var title = RequiredText(root, "title");
            var (id, level, status, tags) = Metadata(root);
            var logsource = Logsource(root);
            if (Child(root, "filter") is { } filter)
            {
                Error(filter, "Sigma filters are not supported.");
            }

            if (Child(root, "detection") is not { } detectionNode)
            {
                Error(root, "'detection' is missing: a rule needs search identifiers and a condition.");
                return null;
            }

            if (detectionNode is not YamlMappingNode detection)
            {
                Error(detectionNode, "'detection' must be a mapping of search identifiers and a condition.");
                return null;
            }

            var compiled = CompileDetection(detection, allowAggregation);
            if (compiled is not { } c || title is null)
            {
                return null;
            }

            var matches = WithLogsource(c.Predicate, logsource);
            if (c.Aggregation is not { } aggregation)
            {
                return new SigmaRule(title, id, level, status, tags, logsource, matches, null);
            }

            var timeframe = Child(detection, "timeframe");
            var window = timeframe is null ? null : Timespan(timeframe);
            if (timeframe is null)
            {
                Error(c.ConditionNode, "An aggregation ('| count() …') needs 'timeframe' in the detection (e.g. timeframe: 5m).");
            }

            if (window is not { } span)
            {
                return null;
            }

            var correlation = new SigmaCorrelation(
                aggregation.CountedField is null ? CorrelationType.EventCount : CorrelationType.ValueCount,
                [new SigmaCorrelatedRule(id ?? title, matches)],
                aggregation.GroupBy is null ? [] : [aggregation.GroupBy],
                span,
                aggregation.Condition,
                aggregation.CountedField);
            return new SigmaRule(title, id, level, status, tags, logsource, null, correlation);
        }

        private static Func<SigmaEvent, bool> WithLogsource(Func<SigmaEvent, bool> predicate, SigmaLogsource logsource) =>
            logsource.IsEmpty ? predicate : e => logsource.AppliesTo(e.Logsource) && predicate(e);

        private SigmaRule? CompileCorrelationRule(YamlMappingNode root, List<YamlMappingNode> others)
        {
            var title = RequiredText(root, "title");
            var (id, level, status, tags) = Metadata(root);
            if (Child(root, "detection") is { } detection)
            {
                Error(detection, "A correlation rule has 'correlation', not 'detection': put the detection in a rule of its own document.");
            }

            if (Child(root, "correlation") is not YamlMappingNode correlation)
            {
                Error(Child(root, "correlation")!, "'correlation' must be a mapping (type, rules, group-by, timespan, condition).");
                return null;
            }

            var typeText = RequiredText(correlation, "type");
            CorrelationType? type = typeText switch
            {
                null => null,
                "event_count" => CorrelationType.EventCount,
                "value_count" => CorrelationType.ValueCount,
                "temporal" => CorrelationType.Temporal,
                "temporal_ordered" => Unsupported(Child(correlation, "type")!, "The correlation type 'temporal_ordered' is not supported (use 'temporal')."),
                _ => Unsupported(Child(correlation, "type")!, $"Unknown correlation type '{typeText}': expected event_count, value_count or temporal."),
            };
            if (Child(correlation, "aliases") is { } aliases)
            {
                Error(aliases, "Correlation 'aliases' are not supported.");
            }

            // The rules this correlation names, by their name or id, from the documents that came with it.
            var byReference = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
            foreach (var other in others)
            {
                foreach (var key in new[] { "name", "id" })
                {
                    if (Text(other, key) is { } reference)
                    {
                        byReference[reference] = other;
                    }
                }
            }

            var rules = new List<SigmaCorrelatedRule>();
            var used = new HashSet<YamlMappingNode>();
            switch (Child(correlation, "rules"))
            {
                case YamlSequenceNode { Children.Count: > 0 } list:
                    foreach (var item in list)
                    {
                        if (item is not YamlScalarNode { Value: { Length: > 0 } reference })
                        {
                            Error(item, "Each of 'rules' is the name or id of a rule.");
                            continue;
                        }

                        if (!byReference.TryGetValue(reference, out var baseRoot))
                        {
                            Error(item, $"The rule '{reference}' is not in this document: add it as another YAML document (after '---') with 'name: {reference}'.");
                            continue;
                        }

                        used.Add(baseRoot);
                        var baseRule = CompileDetectionRule(baseRoot, allowAggregation: false);
                        if (baseRule?.Matches is { } matches)
                        {
                            rules.Add(new SigmaCorrelatedRule(reference, matches));
                        }
                    }

                    break;
                case { } other:
                    Error(other, "'rules' must be a list of the names or ids of the correlated rules.");
                    break;
                default:
                    Error(correlation, "'rules' is missing: the names or ids of the correlated rules.");
                    break;
            }

            foreach (var unused in others.Where(o => !used.Contains(o)))
            {
                Error(unused, "This rule is not among the correlation's 'rules'.");
            }

            var groupBy = new List<string>();
            switch (Child(correlation, "group-by"))
            {
                case YamlSequenceNode list:
                    foreach (var item in list)
                    {
                        if (item is YamlScalarNode { Value: { Length: > 0 } field })
                        {
                            groupBy.Add(field);
                        }
                        else
                        {
                            Error(item, "Each of 'group-by' is a field name.");
                        }
                    }

                    break;
                case YamlScalarNode { Value: { Length: > 0 } single }:
                    groupBy.Add(single);
                    break;
                case null:
                    break;
                case var other:
                    Error(other, "'group-by' must be a list of field names.");
                    break;
            }

            TimeSpan? timespan = Child(correlation, "timespan") is { } timespanNode ? Timespan(timespanNode) : null;
            if (Child(correlation, "timespan") is null)
            {
                Error(correlation, "'timespan' is missing (e.g. timespan: 5m).");
            }

            var (condition, valueField) = CorrelationCondition(correlation, type, rules.Count);
            if (title is null || type is not { } t || timespan is not { } span || condition is null || Errors.Count > 0)
            {
                return null;
            }

            return new SigmaRule(title, id, level, status, tags, SigmaLogsource.None, null,
                new SigmaCorrelation(t, rules, groupBy, span, condition, valueField));
        }

        private (CountCondition? Condition, string? Field) CorrelationCondition(YamlMappingNode correlation, CorrelationType? type, int ruleCount)
        {
            var node = Child(correlation, "condition");
            if (node is null)
            {
                if (type == CorrelationType.Temporal)
                {
                    return (new CountCondition(ruleCount, null), null);
                }

                Error(correlation, "'condition' is missing (e.g. condition: {gte: 10}).");
                return (null, null);
            }

            if (node is not YamlMappingNode map)
            {
                Error(node, "'condition' must be a mapping such as {gte: 10}.");
                return (null, null);
            }

            long? minimum = null, maximum = null;
            string? field = null;
            foreach (var (keyNode, valueNode) in map.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value;
                if (key == "field")
                {
                    field = (valueNode as YamlScalarNode)?.Value;
                    continue;
                }

                if (valueNode is not YamlScalarNode { Value: { } text }
                    || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    Error(valueNode, $"'{key}' needs a whole number.");
                    continue;
                }

                switch (key)
                {
                    case "gt":
                        minimum = n + 1;
                        break;
                    case "gte":
                        minimum = n;
                        break;
                    case "eq":
                        minimum = n;
                        maximum = n;
                        break;
                    case "lt":
                        maximum = n - 1;
                        break;
                    case "lte":
                        maximum = n;
                        break;
                    default:
                        Error(keyNode, $"Unknown condition '{key}': expected gt, gte, lt, lte or eq.");
                        break;
                }
            }

            if (type == CorrelationType.ValueCount && field is null)
            {
                Error(map, "A value_count correlation needs 'field' in its condition: the field whose distinct values are counted.");
            }

            if (minimum is not { } min || min < 1)
            {
                Error(map, "The condition needs a lower bound of at least one event (gt or gte): counts are taken as events arrive, so a condition only an absence could meet (lt, lte alone) is not supported.");
                return (null, field);
            }

            return (new CountCondition(min, maximum), field);
        }

        private (string? Id, SigmaLevel Level, string? Status, IReadOnlyList<string> Tags) Metadata(YamlMappingNode root)
        {
            var id = Text(root, "id");
            var level = SigmaLevel.Medium;
            if (Child(root, "level") is { } levelNode)
            {
                var text = (levelNode as YamlScalarNode)?.Value?.ToLowerInvariant();
                var index = Array.IndexOf(Levels, text);
                if (index < 0)
                {
                    Error(levelNode, $"'level' must be one of {string.Join(", ", Levels)}.");
                }
                else
                {
                    level = (SigmaLevel)index;
                }
            }

            var tags = new List<string>();
            switch (Child(root, "tags"))
            {
                case YamlSequenceNode list:
                    foreach (var item in list)
                    {
                        if (item is YamlScalarNode { Value: { Length: > 0 } tag })
                        {
                            tags.Add(tag);
                        }
                        else
                        {
                            Error(item, "Each tag is a text such as attack.t1059.001.");
                        }
                    }

                    break;
                case null:
                    break;
                case var other:
                    Error(other, "'tags' must be a list.");
                    break;
            }

            if (id is { Length: > 100 })
            {
                Error(Child(root, "id")!, "'id' is at most 100 characters.");
            }

            return (id, level, Text(root, "status"), tags);
        }

        private SigmaLogsource Logsource(YamlMappingNode root)
        {
            switch (Child(root, "logsource"))
            {
                case null:
                    return SigmaLogsource.None;
                case YamlMappingNode map:
                    return new SigmaLogsource(Text(map, "product"), Text(map, "category"), Text(map, "service"));
                case var other:
                    Error(other, "'logsource' must be a mapping (product, category, service).");
                    return SigmaLogsource.None;
            }
        }

        private (Func<SigmaEvent, bool> Predicate, Aggregation? Aggregation, YamlNode ConditionNode)? CompileDetection(
            YamlMappingNode detection,
            bool allowAggregation)
        {
            var identifiers = new Dictionary<string, Func<SigmaEvent, bool>>(StringComparer.Ordinal);
            YamlNode? conditionNode = null;
            foreach (var (keyNode, valueNode) in detection.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                switch (key)
                {
                    case "condition":
                        conditionNode = valueNode;
                        continue;
                    case "timeframe":
                        continue;
                    default:
                        break;
                }

                // One that does not compile is reported where it is; the condition may still name it.
                identifiers[key] = SearchIdentifier(valueNode) ?? (_ => false);
            }

            if (conditionNode is null)
            {
                Error(detection, "'condition' is missing from the detection.");
                return null;
            }

            var conditions = conditionNode switch
            {
                YamlScalarNode scalar => [scalar],
                YamlSequenceNode list => list.Children.OfType<YamlScalarNode>().ToList(),
                _ => [],
            };
            if (conditions.Count == 0 || conditions.Any(c => string.IsNullOrWhiteSpace(c.Value)))
            {
                Error(conditionNode, "'condition' must be a text such as 'selection and not filter'.");
                return null;
            }

            var predicates = new List<Func<SigmaEvent, bool>>();
            Aggregation? aggregation = null;
            foreach (var condition in conditions)
            {
                try
                {
                    var (predicate, agg) = SigmaCondition.Compile(condition.Value!, identifiers);
                    if (agg is not null && (!allowAggregation || conditions.Count > 1))
                    {
                        Error(condition, "An aggregation ('| count() …') is not allowed here: a correlated rule or a list of conditions cannot aggregate.");
                    }

                    aggregation ??= agg;
                    predicates.Add(predicate);
                }
                catch (ConditionError e)
                {
                    var quoted = condition.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
                    Error((int)condition.Start.Line, (int)condition.Start.Column + quoted + e.Offset, $"Condition: {e.Message}");
                }
            }

            if (predicates.Count != conditions.Count)
            {
                return null;
            }

            var all = predicates.ToArray();
            return (all.Length == 1 ? all[0] : e => all.Any(p => p(e)), aggregation, conditionNode);
        }

        /// <summary>A search identifier: a map (every field matches), a list of maps (any map), or keywords (any keyword).</summary>
        private Func<SigmaEvent, bool>? SearchIdentifier(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    return FieldMap(map);
                case YamlSequenceNode { Children.Count: > 0 } list when list.Children.All(c => c is YamlMappingNode):
                    {
                        var maps = list.Children.Select(c => FieldMap((YamlMappingNode)c)).ToList();
                        if (maps.Any(m => m is null))
                        {
                            return null;
                        }

                        var array = maps.Select(m => m!).ToArray();
                        return e => array.Any(m => m(e));
                    }

                case YamlSequenceNode { Children.Count: > 0 } list when list.Children.All(c => c is YamlScalarNode):
                    return Keywords(list.Children.Cast<YamlScalarNode>().ToList(), null);
                case YamlScalarNode scalar when !IsNull(scalar):
                    return Keywords([scalar], null);
                default:
                    Error(node, "A search identifier is a map of fields, a list of such maps, or a list of keywords.");
                    return null;
            }
        }

        private Func<SigmaEvent, bool>? Keywords(IReadOnlyList<YamlScalarNode> values, Modifiers? modifiers)
        {
            var matchers = new List<ValueMatcher>();
            foreach (var value in values)
            {
                if (IsNull(value))
                {
                    Error(value, "A keyword cannot be null.");
                    continue;
                }

                // A keyword is found anywhere in the text unless its modifiers say otherwise.
                var m = modifiers ?? new Modifiers { Anchor = "contains" };
                if (Value(value, m with { Anchor = m.Anchor ?? "contains" }) is { } matcher)
                {
                    matchers.Add(matcher);
                }
            }

            if (matchers.Count != values.Count)
            {
                return null;
            }

            var array = matchers.ToArray();
            var all = modifiers?.All ?? false;
            return e =>
            {
                bool Found(ValueMatcher m) => e.Texts().Any(m.Matches);
                return all ? array.All(Found) : array.Any(Found);
            };
        }

        private Func<SigmaEvent, bool>? FieldMap(YamlMappingNode map)
        {
            if (map.Children.Count == 0)
            {
                Error(map, "An empty map matches nothing: name at least one field.");
                return null;
            }

            var tests = new List<Func<SigmaEvent, bool>>();
            var failed = false;
            foreach (var (keyNode, valueNode) in map.Children)
            {
                var test = Field(keyNode, valueNode);
                failed |= test is null;
                if (test is not null)
                {
                    tests.Add(test);
                }
            }

            if (failed)
            {
                return null;
            }

            var array = tests.ToArray();
            return e =>
            {
                foreach (var test in array)
                {
                    if (!test(e))
                    {
                        return false;
                    }
                }

                return true;
            };
        }

        private Func<SigmaEvent, bool>? Field(YamlNode keyNode, YamlNode valueNode)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var parts = key.Split('|');
            var field = parts[0];
            var modifiers = ReadModifiers(keyNode, parts[1..]);
            if (modifiers is null)
            {
                return null;
            }

            var values = valueNode switch
            {
                YamlScalarNode scalar => [scalar],
                YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode) => list.Children.Cast<YamlScalarNode>().ToList(),
                _ => null,
            };
            if (values is null || values.Count == 0)
            {
                Error(valueNode, $"The value of '{key}' must be a value or a list of values.");
                return null;
            }

            if (modifiers.All && values.Count < 2)
            {
                Error(keyNode, "The 'all' modifier needs a list of at least two values.");
                return null;
            }

            if (field.Length == 0)
            {
                return Keywords(values, modifiers);
            }

            if (modifiers.Exists)
            {
                if (values.Count != 1 || values[0].Value is not ("true" or "false"))
                {
                    Error(valueNode, "'exists' takes true or false.");
                    return null;
                }

                var wanted = values[0].Value == "true";
                return e => e.Get(field) is { Found: true } v && v.Values.Any(x => x is not null) == wanted
                    || (!e.Get(field).Found || e.Get(field).Values.All(x => x is null)) && !wanted;
            }

            var matchers = new List<ValueMatcher>();
            foreach (var value in values)
            {
                if (IsNull(value))
                {
                    matchers.Add(NullMatcher.Instance);
                }
                else if (Value(value, modifiers) is { } matcher)
                {
                    matchers.Add(matcher);
                }
            }

            if (matchers.Count != values.Count)
            {
                return null;
            }

            var array = matchers.ToArray();
            var all = modifiers.All;
            return e =>
            {
                var v = e.Get(field);
                foreach (var matcher in array)
                {
                    var hit = Test(matcher, v);
                    if (hit != all)
                    {
                        return hit;
                    }
                }

                return all;
            };
        }

        private static bool Test(ValueMatcher matcher, FieldValues values)
        {
            if (matcher is NullMatcher)
            {
                return !values.Found || values.Values.Contains(null);
            }

            foreach (var value in values.Values)
            {
                if (value is not null && matcher.Matches(value))
                {
                    return true;
                }
            }

            return false;
        }

        private Modifiers? ReadModifiers(YamlNode keyNode, string[] names)
        {
            var m = new Modifiers();
            var ok = true;
            foreach (var name in names)
            {
                switch (name)
                {
                    case "contains" or "startswith" or "endswith":
                        ok &= Once(m.Anchor is null, $"'{name}' cannot follow '{m.Anchor}'.");
                        m = m with { Anchor = name };
                        break;
                    case "all":
                        m = m with { All = true };
                        break;
                    case "re":
                        m = m with { Regex = true };
                        break;
                    case "i" or "m" or "s":
                        ok &= Once(m.Regex, $"'{name}' is a sub-modifier of 're': write 're|{name}'.");
                        m = m with { RegexOptions = m.RegexOptions | (name == "i" ? RegexOptions.IgnoreCase : name == "m" ? RegexOptions.Multiline : RegexOptions.Singleline) };
                        break;
                    case "cidr":
                        m = m with { Cidr = true };
                        break;
                    case "exists":
                        m = m with { Exists = true };
                        break;
                    case "gt" or "gte" or "lt" or "lte":
                        ok &= Once(m.Comparison is null, "Only one of gt, gte, lt, lte per field.");
                        m = m with { Comparison = name switch { "gt" => Sigma.Comparison.Gt, "gte" => Sigma.Comparison.Gte, "lt" => Sigma.Comparison.Lt, _ => Sigma.Comparison.Lte } };
                        break;
                    case "base64":
                        m = m with { Base64 = true };
                        break;
                    case "base64offset":
                        m = m with { Base64Offset = true };
                        break;
                    case "windash":
                        m = m with { Windash = true };
                        break;
                    case "cased":
                        m = m with { Cased = true };
                        break;
                    default:
                        Error(keyNode, UnsupportedModifiers.Contains(name)
                            ? $"The modifier '{name}' is not supported."
                            : $"Unknown modifier '{name}'.");
                        return null;
                }
            }

            var kinds = new[] { m.Regex, m.Cidr, m.Exists, m.Comparison is not null }.Count(k => k);
            var transforms = m.Anchor is not null || m.Base64 || m.Base64Offset || m.Windash || m.Cased;
            ok &= Once(kinds <= 1 && (kinds == 0 || !transforms), "'re', 'cidr', 'exists' and gt/gte/lt/lte each stand alone: they do not combine with each other or with contains, startswith, endswith, base64, base64offset, windash or cased.");
            ok &= Once(!(m.Base64 && m.Base64Offset), "Use one of 'base64' and 'base64offset'.");
            ok &= Once(!((m.Base64 || m.Base64Offset) && m.Windash), "'windash' does not combine with base64 encodings.");
            if (!ok)
            {
                Error(keyNode, string.Join(" ", m.Problems));
                return null;
            }

            return m;

            bool Once(bool condition, string problem)
            {
                if (!condition)
                {
                    m.Problems.Add(problem);
                }

                return condition;
            }
        }

        private ValueMatcher? Value(YamlScalarNode node, Modifiers m)
        {
            var text = node.Value ?? string.Empty;
            if (m.Regex)
            {
                try
                {
                    return RegexMatcher.Create(text, m.RegexOptions);
                }
                catch (ArgumentException e)
                {
                    Error(node, $"Not a valid regular expression: {e.Message}");
                    return null;
                }
            }

            if (m.Cidr)
            {
                if (IPNetwork.TryParse(text, out var network))
                {
                    return new CidrMatcher(network);
                }

                Error(node, $"'{text}' is not a CIDR range such as 10.0.0.0/8.");
                return null;
            }

            if (m.Comparison is { } comparison)
            {
                if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound))
                {
                    return new NumberMatcher(comparison, bound);
                }

                Error(node, $"'{text}' is not a number.");
                return null;
            }

            if (m.Exists)
            {
                Error(node, "'exists' takes true or false.");
                return null;
            }

            var variants = m.Base64 ? [SigmaStrings.Literal(Base64(text))]
                : m.Base64Offset ? Base64Offsets(text).Select(SigmaStrings.Literal).ToList()
                : [SigmaStrings.Parse(text)];
            var matchers = new List<ValueMatcher>(variants.Count);
            foreach (var parts in variants)
            {
                var shaped = m.Windash ? SigmaStrings.WithWindash(parts) : parts;
                if (m.Anchor is "contains" or "endswith")
                {
                    shaped.Insert(0, new PatternPart(PatternKind.Star));
                }

                if (m.Anchor is "contains" or "startswith")
                {
                    shaped.Add(new PatternPart(PatternKind.Star));
                }

                matchers.Add(SigmaStrings.Compile(shaped, m.Cased));
            }

            return matchers.Count == 1 ? matchers[0] : new AnyMatcher(matchers);
        }

        private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        /// <summary>
        /// base64offset: the value as it appears inside base64 text at each of the three alignments it can start at,
        /// without the leading and trailing characters that depend on its neighbours.
        /// </summary>
        private static IEnumerable<string> Base64Offsets(string text)
        {
            int[] start = [0, 2, 3];
            int[] endTrim = [0, 3, 2];
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var i = 0; i < 3; i++)
            {
                var padded = new byte[i + bytes.Length];
                Array.Fill(padded, (byte)' ', 0, i);
                bytes.CopyTo(padded, i);
                var encoded = Convert.ToBase64String(padded);
                var end = encoded.Length - endTrim[(bytes.Length + i) % 3];
                yield return end > start[i] ? encoded[start[i]..end] : string.Empty;
            }
        }

        private TimeSpan? Timespan(YamlNode node)
        {
            var text = (node as YamlScalarNode)?.Value ?? string.Empty;
            if (text.Length >= 2 && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                TimeSpan? span = text[^1] switch
                {
                    's' => TimeSpan.FromSeconds(n),
                    'm' => TimeSpan.FromMinutes(n),
                    'h' => TimeSpan.FromHours(n),
                    'd' => TimeSpan.FromDays(n),
                    _ => null,
                };
                if (span is { } s && s <= TimeSpan.FromDays(30))
                {
                    return s;
                }
            }

            Error(node, $"'{text}' is not a timespan: a number and s, m, h or d (e.g. 5m), at most 30 days.");
            return null;
        }

        private CorrelationType? Unsupported(YamlNode node, string message)
        {
            Error(node, message);
            return null;
        }

        private string? RequiredText(YamlMappingNode map, string key)
        {
            var node = Child(map, key);
            if (node is YamlScalarNode { Value: { Length: > 0 } text } && !IsNull((YamlScalarNode)node))
            {
                if (key == "title" && text.Length > 256)
                {
                    Error(node, "'title' is at most 256 characters.");
                    return null;
                }

                return text;
            }

            Error(node ?? map, $"'{key}' is required{(node is null ? string.Empty : " and must be a text")}.");
            return null;
        }

        private static string? Text(YamlMappingNode map, string key) =>
            Child(map, key) is YamlScalarNode { Value: { Length: > 0 } text } scalar && !IsNull(scalar) ? text : null;

        private static YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

        private static bool IsNull(YamlScalarNode scalar) =>
            scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "null" or "~" or "Null" or "NULL";

        private void Error(YamlNode node, string message) => Error((int)node.Start.Line, (int)node.Start.Column, message);

        private void Error(int line, int column, string message) => Errors.Add(new SigmaError(line, column, message));
    }

    private sealed record Modifiers
    {
        public string? Anchor { get; init; }
        public bool All { get; init; }
        public bool Regex { get; init; }
        public RegexOptions RegexOptions { get; init; }
        public bool Cidr { get; init; }
        public bool Exists { get; init; }
        public Comparison? Comparison { get; init; }
        public bool Base64 { get; init; }
        public bool Base64Offset { get; init; }
        public bool Windash { get; init; }
        public bool Cased { get; init; }
        public List<string> Problems { get; } = [];
    }
}
