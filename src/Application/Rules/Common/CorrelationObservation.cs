using ThreatPlatform.Application.Rules.Sigma;

namespace ThreatPlatform.Application.Rules.Common;

/// <summary>An event a correlation's base rules matched: what the correlation store records and counts.</summary>
public sealed record CorrelationObservation(ActiveRule Rule, SigmaEvent View, string EventKey, IReadOnlyList<SigmaCorrelatedRule> Matched)
{
    public SigmaCorrelation Correlation => Rule.Compiled.Correlation!;

    public string GroupKey => Correlation.GroupKey(View);
}
