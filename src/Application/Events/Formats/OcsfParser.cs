using System.Text.Json;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// Open Cybersecurity Schema Framework JSON, one event per line.
/// <para>
/// Mapping (API.md): source <c>device.hostname</c>, else <c>metadata.product.name</c>, else the sensor's first source;
/// event_type <c>class_name</c>; severity <c>severity_id</c> 1–2 LOW, 3 MEDIUM, 4 HIGH, 5–6 CRITICAL (0 Unknown and
/// 99 Other are LOW; the id is required, as OCSF requires it); description <c>message</c>; source_ip / destination_ip
/// <c>src_endpoint.ip</c> / <c>dst_endpoint.ip</c>; occurred_at <c>time</c> (milliseconds since the epoch);
/// external_id <c>metadata.uid</c>; metadata the rest of the event.
/// </para>
/// </summary>
public static class OcsfParser
{
    public static RecordParseResult Parse(ReadOnlySpan<byte> utf8Line, RecordContext context) =>
        JsonRecord.Parse(utf8Line, context, Map);

    private static RecordParseResult Map(JsonElement record, RecordContext context, string raw)
    {
        var eventType = JsonRecord.Text(record, "class_name")?.Trim();
        if (string.IsNullOrEmpty(eventType))
        {
            return new RecordFailure("class_name", 0, "an OCSF event needs its class_name (e.g. Detection Finding).");
        }

        if (!JsonRecord.TryInteger(record, "severity_id", out var severityId, out _))
        {
            return new RecordFailure("severity_id", 0, "an OCSF event needs a whole-number severity_id (0–6 or 99).");
        }

        Severity? severity = severityId switch
        {
            0 or 1 or 2 or 99 => Severity.Low,
            3 => Severity.Medium,
            4 => Severity.High,
            5 or 6 => Severity.Critical,
            _ => null,
        };
        if (severity is null)
        {
            return new RecordFailure("severity_id", 0, $"{severityId} is not an OCSF severity_id (0–6 or 99).");
        }

        var consumed = new HashSet<string>(StringComparer.Ordinal)
        {
            "class_name", "time", "message", "metadata.uid", "src_endpoint.ip", "dst_endpoint.ip",
        };
        var hostField = JsonRecord.Text(record, "device.hostname") is { } hostname && !string.IsNullOrWhiteSpace(hostname)
            ? "device.hostname"
            : "metadata.product.name";
        var host = JsonRecord.Text(record, hostField);
        var source = context.SourceFor(host);
        if (source is null)
        {
            return new RecordFailure("device.hostname", 0, "neither device.hostname nor metadata.product.name, and the sensor owns no source to use instead.");
        }

        if (context.KeepsAsSource(host))
        {
            consumed.Add(hostField);
        }

        DateTimeOffset? occurredAt = null;
        if (JsonRecord.TryInteger(record, "time", out var ms, out var hasTime))
        {
            if (!RecordTime.TryFromEpochMilliseconds(ms, out var at))
            {
                return new RecordFailure("time", 0, "outside the calendar.");
            }

            occurredAt = at;
        }
        else if (hasTime)
        {
            return new RecordFailure("time", 0, "not a whole number of milliseconds since the epoch.");
        }

        if (JsonRecord.Ip(record, "src_endpoint.ip", out var sourceIp) is { } srcFailure)
        {
            return srcFailure;
        }

        if (JsonRecord.Ip(record, "dst_endpoint.ip", out var destinationIp) is { } dstFailure)
        {
            return dstFailure;
        }

        var input = new EventInput
        {
            Source = source,
            EventType = eventType,
            Severity = severity.Value,
            Description = RecordText.Description(JsonRecord.Text(record, "message") ?? string.Empty),
            OccurredAt = occurredAt,
            SourceIp = sourceIp,
            DestinationIp = destinationIp,
            ExternalId = JsonRecord.Scalar(record, "metadata.uid")?.Trim() is { Length: > 0 } uid ? uid : null,
            Metadata = RecordText.Metadata((record, consumed), static (w, s) => JsonRecord.WriteRest(w, s.record, s.consumed)),
        };
        return new ParsedEvent(input, EventFormat.Ocsf, raw);
    }
}
