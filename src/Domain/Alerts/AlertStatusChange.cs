namespace ThreatPlatform.Domain.Alerts;

/// <summary>One entry of an alert's audit trail. Append-only.</summary>
public sealed class AlertStatusChange
{
    public const int NoteMaxLength = 2_000;

    private AlertStatusChange()
    {
    }

    internal AlertStatusChange(AlertStatus from, AlertStatus to, long changedById, string? note, DateTimeOffset changedAt)
    {
        FromStatus = from;
        ToStatus = to;
        ChangedById = changedById;
        Note = note;
        ChangedAt = changedAt;
    }

    public long Id { get; private set; }
    public long AlertId { get; private set; }
    public AlertStatus FromStatus { get; private set; }
    public AlertStatus ToStatus { get; private set; }
    public long ChangedById { get; private set; }
    public DateTimeOffset ChangedAt { get; private set; }
    public string? Note { get; private set; }
}
