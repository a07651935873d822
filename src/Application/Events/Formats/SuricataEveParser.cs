using System.Text.Json;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// Suricata's EVE JSON, one record per line (alert, dns, http, tls, flow, anomaly, and any other event type).
/// <para>
/// Mapping (API.md): source <c>host</c> (the sensor name Suricata adds), else the sensor's first source; event_type
/// <c>event_type</c>; severity <c>alert.severity</c> 1 HIGH, 2 MEDIUM, 3 and above LOW, no alert LOW; description
/// <c>alert.signature</c> (a record without an alert gets a short summary: the DNS name, the HTTP host and URL, the TLS
/// SNI, the anomaly); source_ip / destination_ip <c>src_ip</c> / <c>dest_ip</c>; occurred_at <c>timestamp</c>;
/// external_id <c>flow_id:event_type[:tx_id]</c>; metadata the rest of the record.
/// </para>
/// </summary>
public static class SuricataEveParser
{
    public static RecordParseResult Parse(ReadOnlySpan<byte> utf8Line, RecordContext context) =>
        JsonRecord.Parse(utf8Line, context, Map);

    private static RecordParseResult Map(JsonElement record, RecordContext context, string raw)
    {
        var eventType = JsonRecord.Text(record, "event_type")?.Trim();
        if (string.IsNullOrEmpty(eventType))
        {
            return new RecordFailure("event_type", 0, "an EVE record needs its event_type (alert, dns, http, tls, flow, anomaly…).");
        }

        var host = JsonRecord.Text(record, "host");
        var source = context.SourceFor(host);
        if (source is null)
        {
            return new RecordFailure("host", 0, "no host, and the sensor owns no source to use instead.");
        }

        if (JsonRecord.Time(record, "timestamp", out var occurredAt) is { } timeFailure)
        {
            return timeFailure;
        }

        if (JsonRecord.Ip(record, "src_ip", out var sourceIp) is { } srcFailure)
        {
            return srcFailure;
        }

        if (JsonRecord.Ip(record, "dest_ip", out var destinationIp) is { } dstFailure)
        {
            return dstFailure;
        }

        var severity = Severity.Low;
        if (JsonRecord.TryInteger(record, "alert.severity", out var alertSeverity, out var hasSeverity))
        {
            severity = alertSeverity switch
            {
                1 => Severity.High,
                2 => Severity.Medium,
                _ => Severity.Low,
            };
        }
        else if (hasSeverity)
        {
            return new RecordFailure("alert.severity", 0, "not a whole number (Suricata's severities are 1, 2, 3…).");
        }

        var consumed = new HashSet<string>(StringComparer.Ordinal) { "event_type", "timestamp", "src_ip", "dest_ip", "alert.signature" };
        if (context.KeepsAsSource(host))
        {
            consumed.Add("host");
        }

        var input = new EventInput
        {
            Source = source,
            EventType = eventType,
            Severity = severity,
            Description = RecordText.Description(JsonRecord.Text(record, "alert.signature") ?? Summary(record, eventType) ?? string.Empty),
            OccurredAt = occurredAt,
            SourceIp = sourceIp,
            DestinationIp = destinationIp,
            ExternalId = ExternalIdOf(record, eventType),
            Metadata = RecordText.Metadata((record, consumed), static (w, s) => JsonRecord.WriteRest(w, s.record, s.consumed)),
        };
        return new ParsedEvent(input, EventFormat.SuricataEve, raw);
    }

    private static string? ExternalIdOf(JsonElement record, string eventType)
    {
        var flowId = JsonRecord.Scalar(record, "flow_id")?.Trim();
        if (string.IsNullOrEmpty(flowId))
        {
            return null;
        }

        var txId = JsonRecord.Scalar(record, "tx_id")?.Trim();
        return string.IsNullOrEmpty(txId) ? $"{flowId}:{eventType}" : $"{flowId}:{eventType}:{txId}";
    }

    private static string? Summary(JsonElement record, string eventType)
    {
        switch (eventType)
        {
            case "dns":
                var name = JsonRecord.Text(record, "dns.rrname") ?? FirstQuery(record);
                return name is null ? null : $"DNS {JsonRecord.Text(record, "dns.type") ?? "query"} {name}";
            case "http":
                var hostname = JsonRecord.Text(record, "http.hostname");
                var method = JsonRecord.Text(record, "http.http_method");
                return hostname is null ? null : $"HTTP {(method is null ? string.Empty : method + " ")}{hostname}{JsonRecord.Text(record, "http.url")}";
            case "tls":
                var sni = JsonRecord.Text(record, "tls.sni");
                return sni is null ? null : $"TLS {sni}";
            case "anomaly":
                var anomaly = JsonRecord.Text(record, "anomaly.event") ?? JsonRecord.Text(record, "anomaly.type");
                return anomaly is null ? null : $"Anomaly {anomaly}";
            default:
                return null;
        }
    }

    // EVE version 3 lists the queries: dns.queries[0].rrname.
    private static string? FirstQuery(JsonElement record) =>
        JsonRecord.TryGet(record, "dns.queries", out var queries) && queries.ValueKind == JsonValueKind.Array && queries.GetArrayLength() > 0
            ? JsonRecord.Text(queries[0], "rrname")
            : null;
}
