namespace ThreatPlatform.Domain.Alerts;

/// <summary>An analyst's note on an alert. Stored and shown as plain text; deleting keeps the row for the audit trail.</summary>
public sealed class AlertComment
{
    public const int BodyMaxLength = 10_000;

    private AlertComment()
    {
        Body = null!;
    }

    internal AlertComment(long alertId, long authorId, string body, DateTimeOffset createdAt)
    {
        AlertId = alertId;
        AuthorId = authorId;
        Body = body;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public long AlertId { get; private set; }
    public long AuthorId { get; private set; }
    public string Body { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Set when deleted: the comment is no longer listed, and the history says who deleted it.</summary>
    public DateTimeOffset? DeletedAt { get; private set; }

    public bool IsDeleted => DeletedAt is not null;

    internal void MarkDeleted(DateTimeOffset at) => DeletedAt = at;
}
