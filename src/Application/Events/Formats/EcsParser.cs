using System.Text.Json;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// Elastic Common Schema JSON, one document per line; a field may be nested (<c>{"event": {"action": …}}</c>), dotted
/// (<c>{"event.action": …}</c>) or both.
/// <para>
/// Mapping (API.md): source <c>observer.name</c>, else <c>host.name</c>, else the sensor's first source; event_type
/// <c>event.action</c> (else <c>event.kind</c>); severity <c>event.severity</c> in CEF's bands (0–3 LOW, 4–6 MEDIUM, 7–8
/// HIGH, 9–10 CRITICAL; none is LOW, anything outside 0–10 is refused); description <c>message</c>; source_ip /
/// destination_ip <c>source.ip</c> / <c>destination.ip</c>; occurred_at <c>@timestamp</c>; external_id
/// <c>event.id</c>; metadata the rest of the document.
/// </para>
/// </summary>
public static class EcsParser
{
    public static RecordParseResult Parse(ReadOnlySpan<byte> utf8Line, RecordContext context) =>
        JsonRecord.Parse(utf8Line, context, Map);

    private static RecordParseResult Map(JsonElement record, RecordContext context, string raw)
    {
        var consumed = new HashSet<string>(StringComparer.Ordinal) { "@timestamp", "message", "source.ip", "destination.ip", "event.id" };
        var eventType = JsonRecord.Text(record, "event.action")?.Trim();
        if (string.IsNullOrEmpty(eventType))
        {
            eventType = JsonRecord.Text(record, "event.kind")?.Trim();
            if (string.IsNullOrEmpty(eventType))
            {
                return new RecordFailure("event.action", 0, "an ECS document needs event.action (or at least event.kind) to name its event type.");
            }
        }
        else
        {
            consumed.Add("event.action");
        }

        var hostField = JsonRecord.Text(record, "observer.name") is { } observer && !string.IsNullOrWhiteSpace(observer) ? "observer.name" : "host.name";
        var host = JsonRecord.Text(record, hostField);
        var source = context.SourceFor(host);
        if (source is null)
        {
            return new RecordFailure("observer.name", 0, "neither observer.name nor host.name, and the sensor owns no source to use instead.");
        }

        if (context.KeepsAsSource(host))
        {
            consumed.Add(hostField);
        }

        var severity = Severity.Low;
        if (JsonRecord.TryInteger(record, "event.severity", out var number, out var hasSeverity))
        {
            if (RecordText.FromZeroToTen(number) is not { } banded)
            {
                return new RecordFailure("event.severity", 0, $"{number} is outside 0–10 (read in CEF's bands: 0–3 LOW, 4–6 MEDIUM, 7–8 HIGH, 9–10 CRITICAL).");
            }

            severity = banded;
        }
        else if (hasSeverity)
        {
            return new RecordFailure("event.severity", 0, "not a whole number from 0 to 10.");
        }

        if (JsonRecord.Time(record, "@timestamp", out var occurredAt) is { } timeFailure)
        {
            return timeFailure;
        }

        if (JsonRecord.Ip(record, "source.ip", out var sourceIp) is { } srcFailure)
        {
            return srcFailure;
        }

        if (JsonRecord.Ip(record, "destination.ip", out var destinationIp) is { } dstFailure)
        {
            return dstFailure;
        }

        var input = new EventInput
        {
            Source = source,
            EventType = eventType,
            Severity = severity,
            Description = RecordText.Description(JsonRecord.Text(record, "message") ?? string.Empty),
            OccurredAt = occurredAt,
            SourceIp = sourceIp,
            DestinationIp = destinationIp,
            ExternalId = JsonRecord.Scalar(record, "event.id")?.Trim() is { Length: > 0 } id ? id : null,
            Metadata = RecordText.Metadata((record, consumed), static (w, s) => JsonRecord.WriteRest(w, s.record, s.consumed)),
        };
        return new ParsedEvent(input, EventFormat.Ecs, raw);
    }
}
