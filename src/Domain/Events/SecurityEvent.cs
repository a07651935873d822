using System.Net;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.Events;

/// <summary>A security event reported by a sensor (firewall, IDS, AI model). Immutable once ingested.</summary>
public sealed class SecurityEvent : Entity
{
    public const int SourceMaxLength = 255;
    public const int EventTypeMaxLength = 100;
    public const int DescriptionMaxLength = 10_000;
    public const int ExternalIdMaxLength = 255;
    public const int MetadataMaxBytes = 64 * 1024;

    private SecurityEvent()
    {
        Source = null!;
        EventType = null!;
        Description = null!;
    }

    public long Id { get; private set; }
    public string Source { get; private set; }
    public string EventType { get; private set; }
    public Severity Severity { get; private set; }
    public string Description { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
    public IPAddress? SourceIp { get; private set; }
    public IPAddress? DestinationIp { get; private set; }

    /// <summary>The sensor's metadata as a JSON object text (stored as jsonb).</summary>
    public string? Metadata { get; private set; }
    public string? ExternalId { get; private set; }

    /// <summary>When the platform received the event.</summary>
    public DateTimeOffset Timestamp { get; private set; }
    public long? IngestedById { get; private set; }

    /// <summary>The sensor whose API key ingested the event; null for a user token.</summary>
    public long? SensorId { get; private set; }
    public Alert? Alert { get; private set; }

    public static SecurityEvent Ingest(
        string source,
        string eventType,
        Severity severity,
        string? description,
        DateTimeOffset? occurredAt,
        IPAddress? sourceIp,
        IPAddress? destinationIp,
        string? metadata,
        string? externalId,
        long? ingestedBy,
        long? sensorId,
        DateTimeOffset receivedAt)
    {
        var securityEvent = new SecurityEvent
        {
            Source = source,
            EventType = eventType,
            Severity = severity,
            Description = description ?? string.Empty,
            OccurredAt = occurredAt ?? receivedAt,
            SourceIp = sourceIp,
            DestinationIp = destinationIp,
            Metadata = metadata,
            ExternalId = string.IsNullOrEmpty(externalId) ? null : externalId,
            IngestedById = ingestedBy,
            SensorId = sensorId,
            Timestamp = receivedAt,
        };
        securityEvent.Raise(new EventIngested(securityEvent));
        return securityEvent;
    }

    /// <summary>Attaches the alert this event raised; only the alert's factory calls it.</summary>
    internal void AttachAlert(Alert alert) => Alert = alert;
}
