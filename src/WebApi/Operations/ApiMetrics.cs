using Prometheus;

namespace ThreatPlatform.WebApi.Operations;

/// <summary>
/// The platform's own Prometheus series, next to what prometheus-net exports by itself: request durations by route and
/// status (<c>http_request_duration_seconds</c>) and every .NET meter, Npgsql's connection pool among them
/// (<c>db_client_connections_usage</c>, <c>…_pending_requests</c>, <c>…_timeouts</c>). Sensor labels are sensor ids
/// (bounded by the sensors an admin creates), or <c>user</c> for events posted with a person's token.
/// </summary>
public static class ApiMetrics
{
    public const string UserSensorLabel = "user";

    public static readonly Counter EventsIngested = Metrics.CreateCounter(
        "threatplatform_events_ingested_total", "Events stored, by sensor.", new CounterConfiguration { LabelNames = ["sensor"] });

    public static readonly Counter EventsDuplicate = Metrics.CreateCounter(
        "threatplatform_events_duplicate_total", "Events not stored again: a repeat of a stored source + external_id, by sensor.", new CounterConfiguration { LabelNames = ["sensor"] });

    public static readonly Counter EventsRejected = Metrics.CreateCounter(
        "threatplatform_events_rejected_total", "Events refused (invalid, forbidden source, idempotency conflict, rate limited), by sensor.", new CounterConfiguration { LabelNames = ["sensor"] });

    public static readonly Counter AlertsRaised = Metrics.CreateCounter(
        "threatplatform_alerts_raised_total", "Alerts raised by ingested events, by sensor.", new CounterConfiguration { LabelNames = ["sensor"] });

    public static readonly Counter AlertsGrouped = Metrics.CreateCounter(
        "threatplatform_alerts_grouped_total", "HIGH/CRITICAL events folded into an open alert instead of raising one, by sensor.", new CounterConfiguration { LabelNames = ["sensor"] });

    public static readonly Gauge StreamClients = Metrics.CreateGauge(
        "threatplatform_alert_stream_clients", "Open live alert streams (SSE) on this process.");

    public static readonly Counter NotificationDeliveries = Metrics.CreateCounter(
        "threatplatform_notification_deliveries_total", "Notification delivery attempts by channel kind and outcome (sent, failed = will retry, dead = gave up); a digest counts each delivery it carries.", new CounterConfiguration { LabelNames = ["kind", "outcome"] });

    public static readonly Gauge NotificationQueueDepth = Metrics.CreateGauge(
        "threatplatform_notification_queue_depth", "Notification deliveries not yet sent (PENDING or FAILED), as this process's dispatcher last read them.");

    public static readonly Gauge NotificationOldestPendingSeconds = Metrics.CreateGauge(
        "threatplatform_notification_oldest_pending_seconds", "How long the oldest delivery not yet sent has waited since it was queued (0 when none).");

    public static readonly Gauge BatchesInProgress = Metrics.CreateGauge(
        "threatplatform_batches_in_progress", "Batch ingest requests this process is working on (bounded by RateLimiting:MaxConcurrentBatches).");
}
