namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// The API-key and sensor caches' triggers: <c>notify_api_key_change()</c> NOTIFYs <see cref="NotifyChannels.ApiKeys"/>
/// (payload <see cref="NotifyChannels.KeyPayloadPrefix"/> + a key's prefix, or <see cref="NotifyChannels.SensorPayloadPrefix"/>
/// + a sensor's id) in the changing transaction. The function and the triggers <c>api_keys_notify_revoked</c> and
/// <c>sensor_sources_notify</c> were last created by migration Sensors, <c>sensors_notify_access</c> by migration
/// Grouping (their text stays in those migrations, unchanged since); the syslog sender triggers below by migration
/// SyslogSenderNotifications, which runs this text.
/// </summary>
internal static class SensorNotificationsSql
{
    /// <summary>A sensor's format, grouping or syslog networks changing, or a sensor created with networks.</summary>
    public const string SyslogTriggers = """
        CREATE TRIGGER sensors_notify_syslog AFTER UPDATE OF format, grouping, syslog_networks ON sensors
            FOR EACH ROW WHEN (NEW.format IS DISTINCT FROM OLD.format OR NEW.grouping IS DISTINCT FROM OLD.grouping
                OR NEW.syslog_networks IS DISTINCT FROM OLD.syslog_networks)
            EXECUTE FUNCTION notify_api_key_change();

        CREATE TRIGGER sensors_notify_syslog_created AFTER INSERT ON sensors
            FOR EACH ROW WHEN (cardinality(NEW.syslog_networks) > 0)
            EXECUTE FUNCTION notify_api_key_change();
        """;
}
