using System.Text.Json;
using ThreatPlatform.Application.Rules.Sigma;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Rules.Common;

/// <summary>An enabled rule, compiled, with what its alerts carry.</summary>
public sealed record ActiveRule(long Id, SigmaRule Compiled, RuleMatch Match);

/// <summary>
/// The enabled rules as every ingest path evaluates them, and the sensors' logsources. A snapshot: replaced whole when
/// a rule or a sensor changes, so an ingest sees either the old set or the new one, never half of a change.
/// </summary>
public sealed class ActiveRules
{
    public static readonly ActiveRules None = new([], new Dictionary<long, SigmaLogsource>());

    public ActiveRules(IReadOnlyList<ActiveRule> rules, IReadOnlyDictionary<long, SigmaLogsource> sensorLogsources)
    {
        SingleEvent = [.. rules.Where(r => !r.Compiled.IsCorrelation)];
        Correlations = [.. rules.Where(r => r.Compiled.IsCorrelation)];
        SensorLogsources = sensorLogsources;
    }

    public IReadOnlyList<ActiveRule> SingleEvent { get; }
    public IReadOnlyList<ActiveRule> Correlations { get; }
    public IReadOnlyDictionary<long, SigmaLogsource> SensorLogsources { get; }
    public bool IsEmpty => SingleEvent.Count == 0 && Correlations.Count == 0;

    /// <summary>The event as rules read it, with its sensor's logsource.</summary>
    public SigmaEvent ViewOf(SecurityEvent e) => View(e, e.SensorId is { } id && SensorLogsources.TryGetValue(id, out var l) ? l : null);

    public static SigmaEvent View(SecurityEvent e, SigmaLogsource? logsource)
    {
        JsonElement? metadata = null;
        if (e.Metadata is { } text)
        {
            using var document = JsonDocument.Parse(text);
            metadata = document.RootElement.Clone();
        }

        return new SigmaEvent(
            e.Source,
            e.EventType,
            e.Severity.ToString().ToUpperInvariant(),
            e.Description,
            e.SourceIp?.ToString(),
            e.DestinationIp?.ToString(),
            e.ExternalId,
            metadata,
            e.OccurredAt,
            logsource);
    }

    /// <summary>The single-event rules the event matches, in rule id order.</summary>
    public IEnumerable<ActiveRule> Matching(SigmaEvent view) => SingleEvent.Where(r => r.Compiled.Matches!(view));

    /// <summary>Each correlation whose base rules the event matches, with those base rules.</summary>
    public IEnumerable<(ActiveRule Rule, IReadOnlyList<SigmaCorrelatedRule> Matched)> Correlated(SigmaEvent view)
    {
        foreach (var rule in Correlations)
        {
            var matched = rule.Compiled.Correlation!.Rules.Where(r => r.Matches(view)).ToList();
            if (matched.Count > 0)
            {
                yield return (rule, matched);
            }
        }
    }

    /// <summary>
    /// The key that makes a correlation count an event once: its (source, external_id) when it has one (a retried batch
    /// counts nothing twice), else this ingest's own instance.
    /// </summary>
    public static string EventKey(SecurityEvent e) =>
        e.ExternalId is { } id ? $"{e.Source}\u001f{id}" : $"\u001e{Guid.NewGuid():N}";
}

/// <summary>The enabled rules of this process, kept in memory and replaced when any replica changes a rule or a sensor.</summary>
public interface IDetectionRuleSet
{
    ValueTask<ActiveRules> CurrentAsync(CancellationToken cancellationToken);

    /// <summary>A rule or a sensor changed through this process: the next ingest reads the new set.</summary>
    void Changed();
}
