using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>
/// SLA targets per severity, bound from the "Sla" section (environment: Sla__Critical__AckMinutes, …). A severity
/// without a section has no targets: its alerts get no due times and are never breached.
/// </summary>
public sealed class SlaOptions
{
    public const string Section = "Sla";

    public SlaTargetOptions? Critical { get; set; } = new() { AckMinutes = 15, ResolveMinutes = 240 };

    public SlaTargetOptions? High { get; set; } = new() { AckMinutes = 60, ResolveMinutes = 1440 };

    public SlaTargetOptions? Medium { get; set; }

    public SlaTargetOptions? Low { get; set; }

    /// <summary>Every configured target is 1 minute to a year.</summary>
    public bool IsValid => new[] { Critical, High, Medium, Low }.All(t => t is null || (InRange(t.AckMinutes) && InRange(t.ResolveMinutes)));

    public SlaPolicy ToPolicy()
    {
        var targets = new Dictionary<Severity, SlaTarget>();
        foreach (var (severity, options) in new[] { (Severity.Critical, Critical), (Severity.High, High), (Severity.Medium, Medium), (Severity.Low, Low) })
        {
            if (options is not null)
            {
                targets[severity] = new SlaTarget(TimeSpan.FromMinutes(options.AckMinutes), TimeSpan.FromMinutes(options.ResolveMinutes));
            }
        }

        return new SlaPolicy(targets);
    }

    private static bool InRange(int minutes) => minutes is >= 1 and <= SlaTargetOptions.MaxMinutes;
}

/// <summary>Minutes from raising an alert to acknowledging it, and to closing it.</summary>
public sealed class SlaTargetOptions
{
    public const int MaxMinutes = 525_600;

    public int AckMinutes { get; set; }

    public int ResolveMinutes { get; set; }
}
