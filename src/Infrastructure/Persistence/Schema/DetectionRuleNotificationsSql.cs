namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// Any change to the detection rules, or to a sensor's logsource, NOTIFYs <see cref="NotifyChannels.DetectionRules"/> in
/// the changing transaction, so every API process reloads its compiled rule set (DetectionRuleSet). Last created by
/// migration DetectionRules (which runs this text).
/// </summary>
internal static class DetectionRuleNotificationsSql
{
    public const string Up = $$"""
        CREATE FUNCTION notify_detection_rules_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{{NotifyChannels.DetectionRules}}', '');
            RETURN NULL;
        END $$;

        CREATE TRIGGER detection_rules_notify AFTER INSERT OR UPDATE OR DELETE ON detection_rules
            FOR EACH STATEMENT EXECUTE FUNCTION notify_detection_rules_change();

        CREATE TRIGGER sensors_notify_logsource AFTER UPDATE OF logsource_product, logsource_category, logsource_service ON sensors
            FOR EACH ROW WHEN (NEW.logsource_product IS DISTINCT FROM OLD.logsource_product
                OR NEW.logsource_category IS DISTINCT FROM OLD.logsource_category
                OR NEW.logsource_service IS DISTINCT FROM OLD.logsource_service)
            EXECUTE FUNCTION notify_detection_rules_change();
        """;
}
