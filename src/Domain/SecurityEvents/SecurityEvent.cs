using System.Net;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>A security event reported by a sensor (firewall, IDS, AI model). Immutable once ingested.</summary>
public sealed class SecurityEvent : Entity
{
    public const int SourceMaxLength = 255;
    public const int EventTypeMaxLength = 100;
    public const int DescriptionMaxLength = 10_000;
    public const int ExternalIdMaxLength = 255;
    public const int MetadataMaxBytes = 64 * 1024;

    // PostgreSQL keeps microseconds: a repeat's time matches the stored one to that precision.
    private const long TicksPerMicrosecond = 10;

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

    /// <summary>The format the sensor reported the event in (NATIVE for the event JSON).</summary>
    public EventFormat Format { get; private set; }

    /// <summary>The record as the sensor sent it, for an event read from a standard format (at most 64 KiB); null for NATIVE.</summary>
    public string? Raw { get; private set; }

    /// <summary>When the platform received the event.</summary>
    public DateTimeOffset Timestamp { get; private set; }
    public long? IngestedById { get; private set; }

    /// <summary>The sensor whose API key ingested the event; null for a user token.</summary>
    public long? SensorId { get; private set; }

    // The alerts this event raised, as it sees them (their ids and rules; each alert holds its event): at most one for
    // its severity, and one per detection rule it matched. Empty when it raised none, or folded into others' alerts.
    // Not mapped: a query reaches an event's alerts from the alerts (alerts.event_id).
    private readonly List<IRaisedAlert> _alerts = [];

    /// <summary>The alert this event's severity raised (null when it raised none, or folded into one another event raised).</summary>
    public IRaisedAlert? Alert => _alerts.Find(a => a.RuleId is null);

    /// <summary>The open alert this event folded into (grouping); null for an event that raised its own alert or none.</summary>
    public long? FoldedIntoAlertId { get; private set; }

    /// <summary>
    /// Whether, at ingest, the reporting sensor had grouping on: such a severe event folds into the open alert with its
    /// <see cref="Fingerprint"/>. Decided when the event arrives; not stored.
    /// </summary>
    public bool Groups { get; private set; }

    /// <summary>The grouping key, for an event from a sensor that groups; null otherwise (user tokens never group).</summary>
    public AlertFingerprint? Fingerprint =>
        Groups && SensorId is { } sensor ? new AlertFingerprint(sensor, Source, EventType, SourceIp, DestinationIp) : null;

    // The detection, flat (the columns the detection filters read); Detection puts it together.
    public string? DetectionModel { get; private set; }
    public string? DetectionModelVersion { get; private set; }
    public double? DetectionConfidence { get; private set; }
    public string? DetectionTechnique { get; private set; }

    /// <summary>The detection model's verdict, when a model made this event.</summary>
    public Detection? Detection => Detection.Of(DetectionModel, DetectionModelVersion, DetectionConfidence, DetectionTechnique);

    /// <summary>Whether the sensor said when it saw the event (else <see cref="OccurredAt"/> is the received time).</summary>
    public bool OccurredAtGiven { get; private set; }

    /// <summary>
    /// True when <paramref name="repeat"/> (a new report with this event's source and external id) says the same as this
    /// stored event: a sensor's retry. Anything else under the same key is a conflict, never a silent duplicate, so a
    /// key cannot be used to suppress another report. A repeat that omits occurred_at matches any stored time.
    /// </summary>
    public bool IsRepeatedBy(SecurityEvent repeat) =>
        repeat.Source == Source
        && repeat.ExternalId == ExternalId
        && repeat.EventType == EventType
        && repeat.Severity == Severity
        && repeat.Description == Description
        && (!repeat.OccurredAtGiven || Math.Abs(repeat.OccurredAt.UtcTicks - OccurredAt.UtcTicks) < TicksPerMicrosecond)
        && Equals(repeat.SourceIp, SourceIp)
        && Equals(repeat.DestinationIp, DestinationIp)
        && JsonEquality.SameJson(repeat.Metadata, Metadata)
        && repeat.Detection == Detection;

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
        DateTimeOffset receivedAt,
        Detection? detection = null,
        bool groups = false,
        EventFormat format = EventFormat.Native,
        string? raw = null)
    {
        var securityEvent = new SecurityEvent
        {
            Source = source,
            EventType = eventType,
            Severity = severity,
            Description = description ?? string.Empty,
            OccurredAt = occurredAt ?? receivedAt,
            OccurredAtGiven = occurredAt is not null,
            SourceIp = sourceIp,
            DestinationIp = destinationIp,
            Metadata = metadata,
            ExternalId = string.IsNullOrEmpty(externalId) ? null : externalId,
            IngestedById = ingestedBy,
            SensorId = sensorId,
            Groups = groups && sensorId is not null,
            Timestamp = receivedAt,
            DetectionModel = detection?.Model,
            DetectionModelVersion = detection?.ModelVersion,
            DetectionConfidence = detection?.Confidence,
            DetectionTechnique = detection?.Technique,
            Format = format,
            Raw = raw,
        };
        securityEvent.Raise(new EventIngested(securityEvent));
        return securityEvent;
    }

    /// <summary>Attaches an alert this event raised; only the alert's factories call it.</summary>
    internal void AttachAlert(IRaisedAlert alert) => _alerts.Add(alert);

    /// <summary>
    /// Records the open alert this event folded into; only the alert's folding calls it. The event names one alert: the
    /// first it folded into (its severity's alert before its rules').
    /// </summary>
    internal void FoldInto(long alertId) => FoldedIntoAlertId ??= alertId;

    /// <summary>Whether this event raised, or folded into, an alert of <paramref name="ruleId"/> (or raised one of its own).</summary>
    public bool HasRuleAlert(long ruleId) => _alerts.Exists(a => a.RuleId == ruleId) || _foldedRules.Contains(ruleId);

    private readonly HashSet<long> _foldedRules = [];

    /// <summary>The alert id the event answers with: the first alert it raised, else the alert it folded into.</summary>
    public long? FirstAlertId => _alerts.Count > 0 ? _alerts.Min(a => a.Id) : FoldedIntoAlertId;

    internal void FoldIntoRuleAlert(long alertId, long ruleId)
    {
        _foldedRules.Add(ruleId);
        FoldInto(alertId);
    }

    /// <summary>Whether this event already belongs to an alert of its severity (raised one, or folded into one).</summary>
    public bool HasAlert => Alert is not null || (FoldedIntoAlertId is not null && _foldedRules.Count == 0);
}
