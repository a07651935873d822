namespace ThreatPlatform.Application.Rules.Sigma;

/// <summary>
/// A correlation's state in memory, for dry runs (POST /api/rules/test/). Ingest keeps the same state in PostgreSQL so
/// that every replica and a restart see it; both follow these semantics:
/// <list type="bullet">
/// <item>an event joins its group once per base rule it matches (keyed by event, so a repeat adds nothing);</item>
/// <item>the count is taken over the group's unconsumed entries whose time lies in [t − timespan, t], t the arriving
/// event's time (both ends included): events, distinct values (value_count) or distinct rules (temporal);</item>
/// <item>when the count meets the condition the correlation fires on the arriving event, and the entries it counted are
/// consumed: the next firing needs a fresh set (one alert per burst, not one per event after the threshold).</item>
/// </list>
/// </summary>
public sealed class CorrelationMemory
{
    private readonly List<Entry> _entries = [];

    /// <summary>Loads an entry already stored (the PostgreSQL store replays a group's window through this class).</summary>
    public void Load(string eventKey, string reference, string group, string? value, DateTimeOffset at, bool consumed) =>
        _entries.Add(new Entry(eventKey, reference, group, value, at) { Consumed = consumed });

    /// <summary>The entries added by <see cref="ObserveFiring"/> since loading (to store), and every entry consumed (to mark).</summary>
    public IEnumerable<(string EventKey, string Reference, string Group, string? Value, DateTimeOffset At, bool Consumed, bool IsNew)> Entries =>
        _entries.Select(x => (x.EventKey, x.Reference, x.Group, x.Value, x.At, x.Consumed, x.IsNew));

    /// <summary>Records the event (matched by <paramref name="rules"/>) and answers whether the correlation fires on it.</summary>
    public bool Observe(SigmaCorrelation correlation, SigmaEvent e, string eventKey, IReadOnlyList<SigmaCorrelatedRule> rules) =>
        ObserveFiring(correlation, e, eventKey, rules) is not null;

    /// <summary>As <see cref="Observe"/>; when the correlation fires, the keys of the events it counted (oldest first), else null.</summary>
    public IReadOnlyList<string>? ObserveFiring(SigmaCorrelation correlation, SigmaEvent e, string eventKey, IReadOnlyList<SigmaCorrelatedRule> rules)
    {
        var group = correlation.GroupKey(e);
        var added = false;
        foreach (var rule in correlation.Type == CorrelationType.Temporal ? rules : rules.Take(1))
        {
            var reference = correlation.Type == CorrelationType.Temporal ? rule.Reference : string.Empty;
            if (_entries.Any(x => x.EventKey == eventKey && x.Reference == reference))
            {
                continue;
            }

            _entries.Add(new Entry(eventKey, reference, group, correlation.ValueOf(e, rule), e.OccurredAt) { IsNew = true });
            added = true;
        }

        if (!added)
        {
            return null;
        }

        var from = e.OccurredAt - correlation.Timespan;
        var window = _entries.Where(x => !x.Consumed && x.Group == group && x.At >= from && x.At <= e.OccurredAt).ToList();
        var count = correlation.Type switch
        {
            CorrelationType.EventCount => window.Select(x => x.EventKey).Distinct().LongCount(),
            _ => window.Where(x => x.Value is not null).Select(x => x.Value).Distinct().LongCount(),
        };
        if (!correlation.Condition.IsMetBy(count))
        {
            return null;
        }

        foreach (var entry in window)
        {
            entry.Consumed = true;
        }

        return [.. window.OrderBy(x => x.At).Select(x => x.EventKey).Distinct()];
    }

    private sealed class Entry(string eventKey, string reference, string group, string? value, DateTimeOffset at)
    {
        public string EventKey { get; } = eventKey;
        public string Reference { get; } = reference;
        public string Group { get; } = group;
        public string? Value { get; } = value;
        public DateTimeOffset At { get; } = at;
        public bool Consumed { get; set; }
        public bool IsNew { get; init; }
    }
}
