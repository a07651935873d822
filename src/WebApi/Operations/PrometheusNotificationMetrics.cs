using ThreatPlatform.Application.Common;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Infrastructure.Outbox;

namespace ThreatPlatform.WebApi.Operations;

/// <summary>The notification series of <see cref="ApiMetrics"/>: deliveries by kind and outcome, queue depth and age.</summary>
internal sealed class PrometheusNotificationMetrics : INotificationMetrics
{
    public void Delivered(ChannelKind kind, DeliveryStatus outcome, int count)
    {
        if (count > 0)
        {
            var label = Enum.IsDefined(kind) ? WireEnum.Name(kind).ToLowerInvariant() : "deleted";
            ApiMetrics.NotificationDeliveries.WithLabels(label, WireEnum.Name(outcome).ToLowerInvariant()).Inc(count);
        }
    }

    public void Queue(long depth, double oldestPendingSeconds)
    {
        ApiMetrics.NotificationQueueDepth.Set(depth);
        ApiMetrics.NotificationOldestPendingSeconds.Set(oldestPendingSeconds);
    }
}
