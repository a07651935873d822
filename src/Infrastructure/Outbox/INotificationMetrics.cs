using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>What the dispatcher reports for the operators' metrics (WebApi exports them as Prometheus series).</summary>
public interface INotificationMetrics
{
    /// <summary><paramref name="count"/> deliveries through a <paramref name="kind"/> channel ended an attempt as <paramref name="outcome"/>.</summary>
    void Delivered(ChannelKind kind, DeliveryStatus outcome, int count);

    /// <summary>The outbox as the dispatcher last saw it: deliveries not yet sent (PENDING or FAILED), and how long the oldest has waited.</summary>
    void Queue(long depth, double oldestPendingSeconds);
}

internal sealed class NoNotificationMetrics : INotificationMetrics
{
    public void Delivered(ChannelKind kind, DeliveryStatus outcome, int count)
    {
    }

    public void Queue(long depth, double oldestPendingSeconds)
    {
    }
}
