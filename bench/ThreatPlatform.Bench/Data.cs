using System.Globalization;
using System.Net;
using System.Text;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Bench;

/// <summary>One synthetic event, the same shape for every path (raw COPY, batch API, single API).</summary>
internal sealed record BenchEvent(
    string Source,
    string EventType,
    Severity Severity,
    string Description,
    DateTimeOffset OccurredAt,
    IPAddress SourceIp,
    IPAddress DestinationIp,
    string Metadata,
    string ExternalId);

/// <summary>Deterministic synthetic SOC data: a few hundred sensors, a few dozen event types, varied descriptions.</summary>
internal static class Data
{
    private static readonly string[] Kinds = ["fw-edge", "ids-core", "ai-model", "waf", "edr", "proxy"];

    private static readonly string[] EventTypes =
    [
        "port_scan", "brute_force", "malware_detected", "phishing_link", "sql_injection", "xss_attempt", "dns_tunnel",
        "c2_beacon", "privilege_escalation", "lateral_movement", "ransomware_behaviour", "credential_stuffing",
        "suspicious_login", "impossible_travel", "policy_violation", "anomalous_traffic", "data_exfiltration",
        "tor_exit_node", "crypto_mining", "unusual_process",
    ];

    private static readonly string[] Words =
    [
        "blocked", "allowed", "outbound", "inbound", "payload", "signature", "heuristic", "beacon", "lateral", "exfiltration",
        "credential", "token", "session", "anomaly", "baseline", "threshold", "entropy", "encoded", "powershell", "macro",
        "attachment", "domain", "certificate", "expired", "self-signed", "geo", "velocity", "burst", "retry", "handshake",
        "kerberos", "ntlm", "smb", "rdp", "ssh", "telnet", "ftp", "http", "tls", "quic", "dns", "icmp", "udp", "tcp",
        "firmware", "driver", "registry", "scheduled", "service", "container", "kubernetes", "cloudtrail", "bucket",
        "public", "private", "admin", "root", "sudo", "shadow", "passwd", "hash", "mimikatz", "cobalt", "sliver",
    ];

    private static readonly DateTimeOffset Epoch = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static string SourceOf(int i) => $"{Kinds[i % Kinds.Length]}-{i % 200:000}";

    /// <summary>Event <paramref name="i"/> of a series; severities rotate LOW, MEDIUM, HIGH, CRITICAL unless forced.</summary>
    public static BenchEvent Event(int i, string series, Severity? severity = null)
    {
        var random = new Random(i);
        var description = new StringBuilder(160)
            .Append(EventTypes[i % EventTypes.Length].Replace('_', ' '))
            .Append(" from 10.").Append(i % 250).Append('.').Append(random.Next(250)).Append('.').Append(random.Next(250))
            .Append(": ");
        for (var w = 0; w < 8; w++)
        {
            description.Append(Words[random.Next(Words.Length)]).Append(' ');
        }

        description.Append("rule ").Append(random.Next(10_000));
        return new BenchEvent(
            SourceOf(random.Next(1_200)),
            EventTypes[random.Next(EventTypes.Length)],
            severity ?? (Severity)(i % 4 + 1),
            description.ToString(),
            Epoch.AddSeconds(i),
            new IPAddress([10, (byte)(i % 250), (byte)random.Next(250), (byte)random.Next(1, 250)]),
            new IPAddress([192, 168, (byte)random.Next(250), (byte)random.Next(1, 250)]),
            $$"""{"rule_id": {{random.Next(10_000)}}, "sensor_version": "4.{{i % 9}}", "tags": ["bench", "{{series}}"]}""",
            $"{series}-{i}");
    }

    /// <summary>The event as the API's JSON (snake_case, UPPERCASE severity).</summary>
    public static void WriteJson(StringBuilder json, BenchEvent e)
    {
        json.Append("{\"source\":\"").Append(e.Source)
            .Append("\",\"event_type\":\"").Append(e.EventType)
            .Append("\",\"severity\":\"").Append(e.Severity.ToString().ToUpperInvariant())
            .Append("\",\"description\":\"").Append(e.Description)
            .Append("\",\"occurred_at\":\"").Append(e.OccurredAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
            .Append("\",\"source_ip\":\"").Append(e.SourceIp)
            .Append("\",\"destination_ip\":\"").Append(e.DestinationIp)
            .Append("\",\"metadata\":").Append(e.Metadata)
            .Append(",\"external_id\":\"").Append(e.ExternalId)
            .Append("\"}");
    }

    /// <summary>Alert statuses as a SOC queue looks: mostly open or being worked, some closed.</summary>
    public static AlertStatus StatusOf(int i) => (i % 10) switch
    {
        < 4 => AlertStatus.Open,
        < 6 => AlertStatus.Acknowledged,
        < 7 => AlertStatus.InProgress,
        < 9 => AlertStatus.Resolved,
        _ => AlertStatus.FalsePositive,
    };
}
