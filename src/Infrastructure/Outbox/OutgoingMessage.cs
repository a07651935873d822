using ThreatPlatform.Application.Alerts.Common;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>
/// What one send carries: the webhook-id (a delivery id, the first of a digest's), the event, the alerts (one, or a
/// digest's several; none for a test message) and the extra mail recipient (alert.assigned: the assignee).
/// </summary>
internal sealed record OutgoingMessage(
    string Id,
    string Event,
    bool IsDigest,
    IReadOnlyList<AlertDto> Alerts,
    string? ConsoleUrl,
    string? ExtraRecipient)
{
    public string? AlertUrl(AlertDto alert) => ConsoleUrl is null ? null : $"{ConsoleUrl.TrimEnd('/')}/alerts/{alert.Id}";

    /// <summary>API.md's subject: <c>[SEVERITY] event_type on source (alert #id)</c>; a digest or test says what it is.</summary>
    public string Subject()
    {
        if (Alerts.Count == 0)
        {
            return "[TEST] ThreatPlatform test notification";
        }

        if (IsDigest)
        {
            var top = Alerts.Max(a => a.Severity);
            return $"[{Application.Common.WireEnum.Name(top)}] {Alerts.Count} alerts ({Event}, digest)";
        }

        var alert = Alerts[0];
        return $"[{Application.Common.WireEnum.Name(alert.Severity)}] {alert.EventType} on {alert.Source} (alert #{alert.Id})";
    }

    /// <summary>The plain text a person reads (mail body, chat text).</summary>
    public string Text()
    {
        if (Alerts.Count == 0)
        {
            return "This is a test message from ThreatPlatform: the channel works.";
        }

        var lines = new List<string>();
        if (IsDigest)
        {
            lines.Add($"{Alerts.Count} notifications ({Event}) were held back by the rule's throttle in this window:");
        }

        foreach (var alert in Alerts)
        {
            lines.Add($"[{Application.Common.WireEnum.Name(alert.Severity)}] {alert.EventType} on {alert.Source} (alert #{alert.Id}, {Event}, status {Application.Common.WireEnum.Name(alert.Status)})");
            if (!IsDigest && alert.Description.Length > 0)
            {
                lines.Add(alert.Description);
            }

            if (AlertUrl(alert) is { } url)
            {
                lines.Add(url);
            }
        }

        return string.Join('\n', lines);
    }
}

/// <summary>Sends a message through one kind of channel; throws <see cref="DeliveryFailed"/> (or any I/O error) when it did not go out.</summary>
internal interface IChannelSender
{
    Domain.Notifications.ChannelKind Kind { get; }

    Task SendAsync(ChannelTarget channel, OutgoingMessage message, CancellationToken cancellationToken);
}

internal sealed class DeliveryFailed(string message) : Exception(message);
