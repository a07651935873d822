using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.Notifications;

/// <summary>
/// One notification to send through one channel: the outbox row. Alert changes write these in their own transaction
/// (database triggers, migration NotificationOutbox); the dispatcher claims, sends and records the outcome. Its id is the
/// webhook-id receivers drop repeats by, the same on every attempt.
/// </summary>
public sealed class NotificationDelivery
{
    public const int LastErrorMaxLength = 1_000;

    private NotificationDelivery()
    {
        Event = null!;
    }

    public long Id { get; private set; }
    public long? ChannelId { get; private set; }
    public long? RuleId { get; private set; }
    public long? AlertId { get; private set; }
    public string Event { get; private set; }
    public DeliveryStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When it was last queued (created, or retried by an admin): the 24 h limit counts from here.</summary>
    public DateTimeOffset QueuedAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }

    /// <summary>alert.assigned: the assignee at the time, whom an EMAIL channel also mails.</summary>
    public long? RecipientUserId { get; private set; }

    /// <summary>Set when the rule's throttle held this one back: it goes out in the digest sent when its window ends, then.</summary>
    public DateTimeOffset? DigestAt { get; private set; }

    /// <summary>A test message through a channel, due at once.</summary>
    public static NotificationDelivery Test(long channelId, DateTimeOffset at) => new()
    {
        ChannelId = channelId,
        Event = NotificationEvents.Test,
        Status = DeliveryStatus.Pending,
        NextAttemptAt = at,
        CreatedAt = at,
        QueuedAt = at,
    };

    /// <summary>An admin queues a FAILED or DEAD delivery again (with a fresh allowance of attempts); anything else is a 409.</summary>
    public void Retry(DateTimeOffset at)
    {
        if (Status is not (DeliveryStatus.Failed or DeliveryStatus.Dead))
        {
            throw new Conflict($"Only a FAILED or DEAD delivery can be retried; this one is {Status.ToString().ToUpperInvariant()}.", nameof(Status));
        }

        Status = DeliveryStatus.Pending;
        Attempts = 0;
        NextAttemptAt = at;
        QueuedAt = at;
        DigestAt = null;
    }
}
