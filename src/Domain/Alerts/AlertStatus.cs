namespace ThreatPlatform.Domain.Alerts;

/// <summary>Alert lifecycle states; the numeric value follows the lifecycle so ordering by status reads naturally.</summary>
public enum AlertStatus : short
{
    Open = 1,
    Acknowledged = 2,
    InProgress = 3,
    Resolved = 4,
    FalsePositive = 5,
}

/// <summary>The allowed transitions, in one place.</summary>
public static class AlertStatusTransitions
{
    private static readonly Dictionary<AlertStatus, AlertStatus[]> Allowed = new()
    {
        [AlertStatus.Open] = [AlertStatus.Acknowledged, AlertStatus.Resolved, AlertStatus.FalsePositive],
        [AlertStatus.Acknowledged] = [AlertStatus.InProgress, AlertStatus.Resolved, AlertStatus.FalsePositive],
        [AlertStatus.InProgress] = [AlertStatus.Resolved, AlertStatus.FalsePositive],
        [AlertStatus.Resolved] = [AlertStatus.Open],
        [AlertStatus.FalsePositive] = [AlertStatus.Open],
    };

    public static IReadOnlyList<AlertStatus> NextStates(this AlertStatus status) => Allowed[status];

    public static bool CanMoveTo(this AlertStatus status, AlertStatus next) => Allowed[status].Contains(next);
}

public static class AlertStatusRules
{
    /// <summary>RESOLVED and FALSE_POSITIVE: the alert needs no more work (the SLA's close step is done).</summary>
    public static bool IsClosed(this AlertStatus status) => status is AlertStatus.Resolved or AlertStatus.FalsePositive;
}
