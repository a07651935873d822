using Prometheus;

namespace ThreatPlatform.WebApi.Syslog;

/// <summary>The syslog listener's series on /metrics, by transport (<c>udp</c>, <c>tcp</c>, <c>tls</c>).</summary>
public static class SyslogMetrics
{
    public const string Udp = "udp";
    public const string Tcp = "tcp";
    public const string Tls = "tls";

    public const string UnknownSender = "unknown_sender";
    public const string Overload = "overload";
    public const string TooLarge = "too_large";

    public static readonly Counter Received = Metrics.CreateCounter(
        "threatplatform_syslog_received_total", "Syslog messages read off the network, by transport (dropped ones included).",
        new CounterConfiguration { LabelNames = ["transport"] });

    public static readonly Counter Parsed = Metrics.CreateCounter(
        "threatplatform_syslog_parsed_total", "Syslog messages read into events in their sensor's format, by transport.",
        new CounterConfiguration { LabelNames = ["transport"] });

    public static readonly Counter Rejected = Metrics.CreateCounter(
        "threatplatform_syslog_rejected_total", "Syslog messages of a known sender not stored: unreadable in the sensor's format, or refused as a batch item is (source, idempotency conflict), by transport.",
        new CounterConfiguration { LabelNames = ["transport"] });

    public static readonly Counter Dropped = Metrics.CreateCounter(
        "threatplatform_syslog_dropped_total", "Syslog messages dropped before parsing, by transport and reason: unknown_sender (no active sensor's syslog_networks holds the address), overload (UDP with the queue full), too_large (over 64 KiB).",
        new CounterConfiguration { LabelNames = ["transport", "reason"] });

    public static readonly Counter Stored = Metrics.CreateCounter(
        "threatplatform_syslog_stored_total", "Syslog messages stored as events (committed), by transport.",
        new CounterConfiguration { LabelNames = ["transport"] });

    public static readonly Counter ConnectionsRefused = Metrics.CreateCounter(
        "threatplatform_syslog_connections_refused_total", "TCP/TLS connections closed on arrival because Syslog:MaxConnections were open, or whose TLS handshake failed.",
        new CounterConfiguration { LabelNames = ["transport"] });

    public static readonly Gauge Connections = Metrics.CreateGauge(
        "threatplatform_syslog_connections", "Open TCP/TLS syslog connections.", new GaugeConfiguration { LabelNames = ["transport"] });

    public static readonly Gauge Queued = Metrics.CreateGauge(
        "threatplatform_syslog_queued_messages", "Syslog messages received and not yet written.");

    public static readonly Counter WriteRetries = Metrics.CreateCounter(
        "threatplatform_syslog_write_retries_total", "Batch writes retried because the database was unavailable (the listener holds its queue meanwhile).");
}
