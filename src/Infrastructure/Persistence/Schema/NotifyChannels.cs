namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// The NOTIFY channels the database's triggers send on, named once: the trigger functions (in this folder, or in the
/// migrations that created them) and the code that LISTENs (the cache listener, the alert stream, the notification
/// dispatcher) all use these constants. Each is a plain identifier, safe to splice into LISTEN.
/// </summary>
internal static class NotifyChannels
{
    /// <summary>Alert changes logged for the live stream; payload the highest alert_changes id of the statement.</summary>
    public const string AlertChanges = "tp_alert_changes";

    /// <summary>Notification deliveries queued or requeued; empty payload. The notification dispatchers listen.</summary>
    public const string Notifications = "tp_notifications";

    /// <summary>A user's role, active flag or tokens-valid-after time changed, or the user deleted; payload the user's id.</summary>
    public const string Users = "tp_users";

    /// <summary>Detection rules, or a sensor's logsource, changed; empty payload.</summary>
    public const string DetectionRules = "tp_rules";

    /// <summary>
    /// An API key revoked, or a sensor's access, grouping, format, syslog networks or sources changed; payload
    /// <see cref="KeyPayloadPrefix"/> + the key's prefix, or <see cref="SensorPayloadPrefix"/> + the sensor's id.
    /// </summary>
    public const string ApiKeys = "tp_api_keys";

    /// <summary>The payload prefix on <see cref="ApiKeys"/> of a changed key (followed by its prefix).</summary>
    public const string KeyPayloadPrefix = "key:";

    /// <summary>The payload prefix on <see cref="ApiKeys"/> of a changed sensor (followed by its id).</summary>
    public const string SensorPayloadPrefix = "sensor:";
}
