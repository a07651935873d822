using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.Alerts;

/// <summary>An alert was asked to move to a state its lifecycle does not allow from where it is (409).</summary>
public sealed class IllegalTransition(AlertStatus from, AlertStatus to, IReadOnlyList<AlertStatus> allowed)
    : Conflict($"An alert cannot move from {from} to {to}.", nameof(Alert.Status))
{
    public AlertStatus From { get; } = from;
    public AlertStatus To { get; } = to;
    public IReadOnlyList<AlertStatus> Allowed { get; } = allowed;
}
