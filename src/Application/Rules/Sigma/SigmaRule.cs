namespace ThreatPlatform.Application.Rules.Sigma;

/// <summary>Sigma's levels, lowest first. An informational rule records its matches but raises no alert.</summary>
public enum SigmaLevel
{
    Informational = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

/// <summary>The rule's <c>logsource</c> fields the platform matches against a sensor's (null: not named).</summary>
public sealed record SigmaLogsource(string? Product, string? Category, string? Service)
{
    public static readonly SigmaLogsource None = new(null, null, null);

    public bool IsEmpty => Product is null && Category is null && Service is null;

    /// <summary>Whether a rule with this logsource applies to events of a sensor with <paramref name="sensor"/>: every field the rule names equals the sensor's.</summary>
    public bool AppliesTo(SigmaLogsource? sensor) =>
        Same(Product, sensor?.Product) && Same(Category, sensor?.Category) && Same(Service, sensor?.Service);

    private static bool Same(string? rule, string? sensor) =>
        rule is null || string.Equals(rule, sensor, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A Sigma rule compiled once: its metadata, and either a predicate over one event (<see cref="Matches"/>) or a
/// correlation over the events its base rules match (<see cref="Correlation"/>).
/// </summary>
public sealed class SigmaRule
{
    internal SigmaRule(
        string title,
        string? sigmaId,
        SigmaLevel level,
        string? status,
        IReadOnlyList<string> tags,
        SigmaLogsource logsource,
        Func<SigmaEvent, bool>? matches,
        SigmaCorrelation? correlation)
    {
        Title = title;
        SigmaId = sigmaId;
        Level = level;
        Status = status;
        Tags = tags;
        Logsource = logsource;
        Technique = TechniqueOf(tags);
        Matches = matches;
        Correlation = correlation;
    }

    public string Title { get; }

    /// <summary>The rule's own <c>id</c> (a UUID as Sigma recommends), if it has one.</summary>
    public string? SigmaId { get; }
    public SigmaLevel Level { get; }
    public string? Status { get; }
    public IReadOnlyList<string> Tags { get; }
    public SigmaLogsource Logsource { get; }

    /// <summary>The MITRE ATT&amp;CK technique of the first <c>attack.tNNNN[.NNN]</c> tag (as <c>T1059.001</c>), or null.</summary>
    public string? Technique { get; }

    /// <summary>A single-event rule's predicate (null for a correlation).</summary>
    public Func<SigmaEvent, bool>? Matches { get; }

    public SigmaCorrelation? Correlation { get; }

    public bool IsCorrelation => Correlation is not null;

    private static string? TechniqueOf(IReadOnlyList<string> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.StartsWith("attack.t", StringComparison.OrdinalIgnoreCase) && tag.Length >= 12
                && tag[8..12].All(char.IsAsciiDigit)
                && (tag.Length == 12 || (tag.Length == 16 && tag[12] == '.' && tag[13..].All(char.IsAsciiDigit))))
            {
                return tag[7..].ToUpperInvariant();
            }
        }

        return null;
    }
}

public enum CorrelationType
{
    EventCount,
    ValueCount,
    Temporal,
}

/// <summary>A base rule a correlation counts: its name (or id) in the correlation, and its predicate.</summary>
public sealed record SigmaCorrelatedRule(string Reference, Func<SigmaEvent, bool> Matches);

/// <summary>
/// A correlation: the events its rules match, grouped by the <see cref="GroupBy"/> fields' values, counted within
/// <see cref="Timespan"/> (events, distinct <see cref="ValueField"/> values, or distinct rules for temporal).
/// </summary>
public sealed record SigmaCorrelation(
    CorrelationType Type,
    IReadOnlyList<SigmaCorrelatedRule> Rules,
    IReadOnlyList<string> GroupBy,
    TimeSpan Timespan,
    CountCondition Condition,
    string? ValueField)
{
    /// <summary>The group an event belongs to: its group-by values, joined unambiguously.</summary>
    public string GroupKey(SigmaEvent e) =>
        string.Join('\u001f', GroupBy.Select(field => e.KeyOf(field).Replace("\u001f", "\u001f\u001f", StringComparison.Ordinal)));

    /// <summary>What the event adds to its group's count: the value (value_count), or the rule (temporal).</summary>
    public string? ValueOf(SigmaEvent e, SigmaCorrelatedRule rule) => Type switch
    {
        CorrelationType.ValueCount => e.Get(ValueField!) is { Found: true } v && v.Values[0] is { } value ? value : null,
        CorrelationType.Temporal => rule.Reference,
        _ => null,
    };
}

/// <summary>
/// When a correlation's count matches: above a lower bound (<c>gt</c>/<c>gte</c>, or <c>eq</c>) and within an optional upper
/// bound. Counts are taken as events arrive, so a count that only an absence could satisfy (<c>lt</c> alone) is not supported.
/// </summary>
public sealed record CountCondition(long Minimum, long? Maximum)
{
    public bool IsMetBy(long count) => count >= Minimum && (Maximum is not { } max || count <= max);
}
