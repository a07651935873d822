using System.ComponentModel.DataAnnotations;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

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
}

/// <summary>Minutes from raising an alert to acknowledging it, and to closing it.</summary>
public sealed class SlaTargetOptions
{
    [Range(1, 525_600)]
    public int AckMinutes { get; set; }

    [Range(1, 525_600)]
    public int ResolveMinutes { get; set; }
}
