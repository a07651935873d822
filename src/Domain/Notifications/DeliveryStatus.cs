namespace ThreatPlatform.Domain.Notifications;

/// <summary>Where a delivery stands: waiting (or being sent), sent, failed and waiting to retry, or given up.</summary>
public enum DeliveryStatus : short
{
    Pending = 1,
    Sent = 2,
    Failed = 3,
    Dead = 4,
}
