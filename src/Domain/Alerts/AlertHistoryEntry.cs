using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.Alerts;

/// <summary>What an entry of an alert's history records.</summary>
public enum AlertHistoryAction : short
{
    Status = 1,
    Assignee = 2,
    Tags = 3,
    CommentAdded = 4,
    CommentDeleted = 5,

    /// <summary>A folded-in event raised the alert's severity (from/to: severities); made by the platform, no user.</summary>
    Escalated = 6,
}

/// <summary>
/// One entry of an alert's audit trail: every change (status, assignee, tags, comments), who made it, when and why.
/// Append-only. A status change keeps its typed <see cref="FromStatus"/>/<see cref="ToStatus"/> (v1 clients read them);
/// the other changes say what changed in <see cref="From"/>/<see cref="To"/> (a username, a tag list, a comment id).
/// </summary>
public sealed class AlertHistoryEntry
{
    public const int NoteMaxLength = 2_000;

    private AlertHistoryEntry()
    {
    }

    private AlertHistoryEntry(AlertHistoryAction action, long? changedById, string? note, DateTimeOffset changedAt)
    {
        Action = action;
        ChangedById = changedById;
        Note = note;
        ChangedAt = changedAt;
    }

    public long Id { get; private set; }
    public long AlertId { get; private set; }
    public AlertHistoryAction Action { get; private set; }
    public AlertStatus? FromStatus { get; private set; }
    public AlertStatus? ToStatus { get; private set; }
    /// <summary>An escalation's severities, typed like a status change's.</summary>
    public Severity? FromSeverity { get; private set; }
    public Severity? ToSeverity { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    /// <summary>The comment an entry about a comment is about (its id is the entry's from/to).</summary>
    public long? CommentId { get; private set; }
    public AlertComment? Comment { get; private set; }
    /// <summary>The user who made the change; null for the platform's own changes (an escalation by a folded-in event).</summary>
    public long? ChangedById { get; private set; }
    public DateTimeOffset ChangedAt { get; private set; }
    public string? Note { get; private set; }

    internal static AlertHistoryEntry OfStatus(AlertStatus from, AlertStatus to, long by, string? note, DateTimeOffset at) =>
        new(AlertHistoryAction.Status, by, note, at) { FromStatus = from, ToStatus = to };

    internal static AlertHistoryEntry Of(AlertHistoryAction action, string? from, string? to, long by, DateTimeOffset at, string? note = null) =>
        new(action, by, note, at) { From = from, To = to };

    internal static AlertHistoryEntry OfEscalation(Severity from, Severity to, DateTimeOffset at) =>
        new(AlertHistoryAction.Escalated, null, null, at) { FromSeverity = from, ToSeverity = to };

    internal static AlertHistoryEntry OfComment(AlertHistoryAction action, AlertComment comment, long by, DateTimeOffset at) =>
        new(action, by, null, at) { Comment = comment, CommentId = comment.Id == 0 ? null : comment.Id };
}
