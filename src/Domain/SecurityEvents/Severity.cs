namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>Event severity. The numeric value is the rank, so ordering by it orders LOW &lt; MEDIUM &lt; HIGH &lt; CRITICAL.</summary>
public enum Severity : short
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

public static class SeverityRules
{
    /// <summary>The detection rule: HIGH and CRITICAL events raise an alert. The one place this rule lives.</summary>
    public static bool RaisesAlert(this Severity severity) => severity >= Severity.High;

    /// <summary>Every severity that raises an alert, for set-based paths (batch ingest) that apply the same rule in SQL.</summary>
    public static IReadOnlyList<Severity> AlertingSeverities { get; } =
        Enum.GetValues<Severity>().Where(RaisesAlert).ToArray();
}
