namespace ThreatPlatform.Domain.Notifications;

/// <summary>How a channel reaches people: mail over SMTP, a signed webhook, or a Slack-compatible incoming webhook.</summary>
public enum ChannelKind : short
{
    Email = 1,
    Webhook = 2,
    Slack = 3,
}
