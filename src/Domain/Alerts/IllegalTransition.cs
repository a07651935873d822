using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.Alerts;

/// <summary>An alert was asked to move to a state its lifecycle does not allow from where it is (409).</summary>
public sealed class IllegalTransition(AlertStatus from, AlertStatus to, IReadOnlyList<AlertStatus> allowed)
    : Conflict($"An alert cannot move from {from.ToWire()} to {to.ToWire()}; allowed next states: {string.Join(", ", allowed.Select(s => s.ToWire()))}.", "status")
{
    public AlertStatus From { get; } = from;
    public AlertStatus To { get; } = to;
    public IReadOnlyList<AlertStatus> Allowed { get; } = allowed;
}
