using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Domain.Alerts;

/// <summary>An alert raised by a severe event: guards its own lifecycle and keeps an append-only history.</summary>
public sealed class Alert : Entity
{
    private readonly List<AlertStatusChange> _history = [];

    private Alert()
    {
        Event = null!;
        Source = null!;
        EventType = null!;
        Description = null!;
    }

    public long Id { get; private set; }
    public long EventId { get; private set; }
    public SecurityEvent Event { get; private set; }
    public AlertStatus Status { get; private set; }

    // A snapshot of the event's immutable fields, so alert filters, orderings and search are served by alert indexes
    // alone (search combines with the status and severity indexes in one bitmap instead of joining every match).
    public Severity Severity { get; private set; }
    public string Source { get; private set; }
    public string EventType { get; private set; }
    public string Description { get; private set; }

    // From the first event: the detection filters (technique, confidence) read these alert columns.
    public string? DetectionModel { get; private set; }
    public string? DetectionModelVersion { get; private set; }
    public double? DetectionConfidence { get; private set; }
    public string? DetectionTechnique { get; private set; }

    public Detection? Detection => Events.Detection.Of(DetectionModel, DetectionModelVersion, DetectionConfidence, DetectionTechnique);

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public IReadOnlyList<AlertStatusChange> History => _history;

    /// <summary>
    /// The detection rule: an OPEN alert for a severe event; null for an event that raises none, or that raised its
    /// alert already (an event raises at most one).
    /// </summary>
    public static Alert? RaiseFor(SecurityEvent securityEvent, DateTimeOffset at)
    {
        if (!securityEvent.Severity.RaisesAlert() || securityEvent.Alert is not null)
        {
            return null;
        }

        var alert = new Alert
        {
            Event = securityEvent,
            Status = AlertStatus.Open,
            Severity = securityEvent.Severity,
            Source = securityEvent.Source,
            EventType = securityEvent.EventType,
            Description = securityEvent.Description,
            DetectionModel = securityEvent.DetectionModel,
            DetectionModelVersion = securityEvent.DetectionModelVersion,
            DetectionConfidence = securityEvent.DetectionConfidence,
            DetectionTechnique = securityEvent.DetectionTechnique,
            CreatedAt = at,
            UpdatedAt = at,
        };
        securityEvent.AttachAlert(alert);
        return alert;
    }

    /// <summary>Moves the alert along its lifecycle, recording who did it and why. Same status: no-op, no history.</summary>
    public void ChangeStatus(AlertStatus next, long by, string? note, DateTimeOffset at)
    {
        if (next == Status)
        {
            return;
        }

        if (!Status.CanMoveTo(next))
        {
            throw new IllegalTransition(Status, next, Status.NextStates());
        }

        _history.Add(new AlertStatusChange(Status, next, by, note, at));
        Status = next;
        UpdatedAt = at;
    }
}
