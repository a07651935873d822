using System.ComponentModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Riok.Mapperly.Abstractions;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Common;

/// <summary>An event as the API shows it (POST/GET /api/events/, and nested in every alert).</summary>
public sealed record EventDto
{
    public required long Id { get; init; }
    public required string Source { get; init; }
    public required string EventType { get; init; }
    public required Severity Severity { get; init; }
    public required string Description { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public string? SourceIp { get; init; }
    public string? DestinationIp { get; init; }
    public JsonElement? Metadata { get; init; }
    public string? ExternalId { get; init; }

    /// <summary>When the platform received the event.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The id of the user whose token ingested it; null for a sensor's API key.</summary>
    public long? IngestedBy { get; init; }

    /// <summary>The sensor whose API key ingested it; null for a user token.</summary>
    public long? Sensor { get; init; }

    /// <summary>The alert this event raised or folded into (grouping); null for LOW and MEDIUM events.</summary>
    public long? AlertId { get; init; }

    /// <summary>The detection model's verdict, for model-made events.</summary>
    public Detection? Detection { get; init; }

    /// <summary>The format the sensor reported the event in (NATIVE for the event JSON).</summary>
    public required EventFormat Format { get; init; }

    /// <summary>
    /// The record as the sensor sent it (standard formats only, at most 64 KiB). Only single-event answers carry it (GET
    /// /api/events/{id}/ and the event in an alert's detail): lists stay lean, as do the stream and webhooks.
    /// </summary>
    [Description("The record as the sensor sent it (≤ 64 KiB), for an event read from a standard format (CEF, SYSLOG, SURICATA_EVE, ECS, OCSF). Only in single-event answers: GET /api/events/{id}/ and the event of an alert's detail; absent from lists, from the alert stream and webhooks, and for NATIVE events.")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Raw { get; init; }
}

/// <summary>An event read with the id of the alert it raised or folded into, if any (a left join, without loading the alert).</summary>
public sealed record EventRow(SecurityEvent Event, long? AlertId)
{
    public EventDto ToDto() => Event.ToDto(AlertId);

    /// <summary>The event as a single-event answer shows it: with its raw record.</summary>
    public EventDto ToDetailDto() => Event.ToDetailDto(AlertId);
}

public static class EventQueries
{
    /// <summary>Each event with the first alert it raised (from <paramref name="alerts"/>), else the alert it folded into.</summary>
    public static IQueryable<EventRow> WithAlertId(this IQueryable<SecurityEvent> events, IQueryable<Alert> alerts) =>
        events.Select(e => new EventRow(
            e, alerts.Where(a => a.EventId == e.Id).OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefault() ?? e.FoldedIntoAlertId));
}

/// <summary>Entity to DTO, generated at compile time; target-driven so a new entity field never leaks by accident.</summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class EventMapper
{
    [MapProperty(nameof(SecurityEvent.IngestedById), nameof(EventDto.IngestedBy))]
    [MapProperty(nameof(SecurityEvent.SensorId), nameof(EventDto.Sensor))]
    [MapperIgnoreTarget(nameof(EventDto.Raw))]
    public static partial EventDto ToDto(this SecurityEvent securityEvent, long? alertId);

    /// <summary>A single-event answer (GET /api/events/{id}/, an alert's detail): <see cref="ToDto"/> with the raw record.</summary>
    public static EventDto ToDetailDto(this SecurityEvent securityEvent, long? alertId) =>
        securityEvent.ToDto(alertId) with { Raw = securityEvent.Raw };

    private static string? IpText(IPAddress? ip) => ip?.ToString();

    private static JsonElement? MetadataJson(string? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(metadata);
        return document.RootElement.Clone();
    }
}
