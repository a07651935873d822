using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.IngestBatch;

/// <summary>
/// The set-based write path of batch ingest. One round trip per batch, not per event: at thousands of events a second
/// the EF Core change tracker and a row-at-a-time INSERT would be the bottleneck, so Infrastructure uses COPY.
/// </summary>
public interface IEventBatchWriter
{
    /// <summary>
    /// Stores every event whose (source, external_id) is not stored yet and, for each event it stored whose severity is
    /// one of <paramref name="alertingSeverities"/>, one OPEN alert created at <paramref name="at"/> with the due times
    /// <paramref name="sla"/> gives its severity — all in one transaction, committed before it returns. The events carry no in-batch duplicates (the caller removed them).
    /// In the same transaction, for each stored event: one alert per detection rule in <paramref name="ruleHits"/>
    /// (folded, for a grouping sensor, into the rule's collecting alert with the event's fingerprint), and its
    /// correlation observations recorded, raising the correlation's alert on the event that completes it.
    /// </summary>
    Task<EventBatchWriteResult> WriteAsync(
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        RuleHits ruleHits,
        CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="WriteAsync"/>, answering besides what became of each event, in list order: the id it was stored with
    /// and the alert it answers with, or null when a stored twin (the same source and external_id) kept it out. Single
    /// ingest's group commit needs this to answer each request on its own; batch ingest does not pay for it.
    /// </summary>
    Task<EventGroupWriteResult> WriteEachAsync(
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        RuleHits ruleHits,
        CancellationToken cancellationToken);

    /// <summary>The stored events with these (source, external_id) keys (the twins of events the writer refused).</summary>
    Task<IReadOnlyList<SecurityEvent>> FindStoredAsync(
        IReadOnlyCollection<(string Source, string ExternalId)> keys,
        CancellationToken cancellationToken);
}

/// <summary>
/// How many of the events were stored (the others were already stored), how many alerts they raised, the
/// (source, external_id) of each stored event that has one (a keyed event not among them met a stored twin), and how
/// many stored events folded into an alert (an open one, or one an earlier event of the batch raised) instead of raising one.
/// </summary>
public sealed record EventBatchWriteResult(
    int Stored,
    int AlertsCreated,
    IReadOnlySet<(string Source, string ExternalId)> StoredKeys,
    int EventsFolded);

/// <summary>The totals of <see cref="IEventBatchWriter.WriteEachAsync"/>, and each event's fate in list order (null: a stored twin kept it out).</summary>
public sealed record EventGroupWriteResult(EventBatchWriteResult Totals, IReadOnlyList<WrittenEvent?> Events);

/// <summary>
/// One stored event: its id; the alert it answers with (the first alert it raised, else the one it folded into); how
/// many alerts it raised; whether it folded into an alert instead of raising its severity's own.
/// </summary>
public sealed record WrittenEvent(long Id, long? AlertId, int AlertsRaised, bool Folded);

/// <summary>
/// What the batch's events matched, by their index in the list given to the writer: single-event rules (each raises an
/// alert), and correlations' base rules (observations the correlation store counts).
/// </summary>
public sealed record RuleHits(
    IReadOnlyList<(int EventIndex, RuleMatch Rule)> Matches,
    IReadOnlyList<(int EventIndex, CorrelationObservation Observation)> Correlations)
{
    public static readonly RuleHits None = new([], []);

    public bool IsEmpty => Matches.Count == 0 && Correlations.Count == 0;

    /// <summary>Evaluates the active rules on each event (in memory, before anything is written).</summary>
    public static RuleHits Evaluate(ActiveRules rules, IReadOnlyList<SecurityEvent> events)
    {
        if (rules.IsEmpty)
        {
            return None;
        }

        var matches = new List<(int, RuleMatch)>();
        var correlations = new List<(int, CorrelationObservation)>();
        for (var i = 0; i < events.Count; i++)
        {
            var view = rules.ViewOf(events[i]);
            foreach (var rule in rules.Matching(view))
            {
                if (rule.Match.Level.AlertSeverity() is not null)
                {
                    matches.Add((i, rule.Match));
                }
            }

            foreach (var (rule, matched) in rules.Correlated(view))
            {
                correlations.Add((i, new CorrelationObservation(rule, view, ActiveRules.EventKey(events[i]), matched)));
            }
        }

        return new RuleHits(matches, correlations);
    }
}
