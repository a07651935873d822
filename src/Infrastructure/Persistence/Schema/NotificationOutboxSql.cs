namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// The outbox write, in the database: triggers on alerts turn each statement's alert changes into deliveries for the
/// active rules that select them, in the transaction of the change. Every writer of alerts (single ingest, the batch
/// writer's set-based upsert, grouped folds, status and assignment changes) gets them without knowing about it, and
/// the rule matching lives in one function, <c>notification_enqueue</c>, which the SLA sweep calls too. Statement-level
/// with transition tables: a batch of 1,000 alerts is one matching query, and a statement with no active rule costs
/// one index-less probe of a table of tens of rows.
/// </summary>
/// <remarks>Last created by migration NotificationOutbox, which runs this text.</remarks>
internal static class NotificationOutboxSql
{
    public const string Up = $$"""
        -- The rule matching, in one place: which active rules select p_event for the alerts p_alert_ids (as they stand
        -- in this transaction), through which active channels; a throttled rule's deliveries beyond its max in the
        -- current window (aligned to the epoch) wait for the digest at the window's end.
        CREATE FUNCTION notification_enqueue(p_event text, p_alert_ids bigint[]) RETURNS integer LANGUAGE plpgsql AS $$
        DECLARE
            queued integer;
            at timestamp with time zone := clock_timestamp();
        BEGIN
            IF cardinality(p_alert_ids) = 0 THEN
                RETURN 0;
            END IF;
            WITH matched AS (
                SELECT r.id AS rule_id, c.id AS channel_id, a.id AS alert_id,
                       CASE WHEN p_event = 'alert.assigned' THEN a.assignee_id END AS recipient_user_id,
                       r.throttle_max,
                       CASE WHEN r.throttle_max IS NOT NULL THEN
                           to_timestamp(floor(extract(epoch FROM at) / r.throttle_per_seconds) * r.throttle_per_seconds)
                       END AS window_start,
                       r.throttle_per_seconds
                FROM alerts a
                JOIN notification_rules r ON r.is_active AND p_event = ANY (r.events)
                    AND a.severity >= r.min_severity
                    AND (cardinality(r.sources) = 0 OR a.source = ANY (r.sources))
                    AND a.tags @> r.tags
                    AND (cardinality(r.techniques) = 0 OR EXISTS (
                        SELECT 1 FROM unnest(r.techniques) AS t(technique)
                        WHERE upper(a.detection_technique) = t.technique OR upper(a.detection_technique) LIKE t.technique || '.%'))
                JOIN notification_channels c ON c.id = ANY (r.channel_ids) AND c.is_active
                WHERE a.id = ANY (p_alert_ids)
            ), numbered AS (
                SELECT m.*,
                       row_number() OVER (PARTITION BY m.rule_id, m.channel_id ORDER BY m.alert_id) AS n,
                       CASE WHEN m.window_start IS NULL THEN 0 ELSE (
                           SELECT count(*) FROM notification_deliveries d
                           WHERE d.rule_id = m.rule_id AND d.channel_id = m.channel_id AND d.created_at >= m.window_start)
                       END AS earlier
                FROM matched m
            ), held AS (
                SELECT n.*,
                       CASE WHEN n.window_start IS NOT NULL AND n.earlier + n.n > n.throttle_max
                           THEN n.window_start + make_interval(secs => n.throttle_per_seconds)
                       END AS digest_at
                FROM numbered n
            ), inserted AS (
                INSERT INTO notification_deliveries
                    (channel_id, rule_id, alert_id, event, status, attempts, next_attempt_at, created_at, queued_at,
                     recipient_user_id, digest_at)
                SELECT channel_id, rule_id, alert_id, p_event, 1, 0, coalesce(digest_at, at), at, at, recipient_user_id, digest_at
                FROM held
                ORDER BY alert_id, rule_id, channel_id
                RETURNING 1
            )
            SELECT count(*) INTO queued FROM inserted;
            RETURN queued;
        END $$;

        CREATE FUNCTION notify_alert_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM notification_rules WHERE is_active) THEN
                PERFORM notification_enqueue('alert.created', ARRAY(SELECT id FROM changed_alerts ORDER BY id));
            END IF;
            RETURN NULL;
        END $$;

        -- Further occurrences folded into a grouped alert notify only when they raise its severity (alert.escalated).
        CREATE FUNCTION notify_alert_updates() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM notification_rules WHERE is_active) THEN
                PERFORM notification_enqueue('alert.escalated', ARRAY(
                    SELECT n.id FROM changed_alerts n JOIN previous_alerts o ON o.id = n.id
                    WHERE n.severity > o.severity ORDER BY n.id));
                PERFORM notification_enqueue('alert.reopened', ARRAY(
                    SELECT n.id FROM changed_alerts n JOIN previous_alerts o ON o.id = n.id
                    WHERE n.status = 1 AND o.status IN (4, 5) ORDER BY n.id));
                PERFORM notification_enqueue('alert.assigned', ARRAY(
                    SELECT n.id FROM changed_alerts n JOIN previous_alerts o ON o.id = n.id
                    WHERE n.assignee_id IS NOT NULL AND n.assignee_id IS DISTINCT FROM o.assignee_id ORDER BY n.id));
            END IF;
            RETURN NULL;
        END $$;

        CREATE TRIGGER alerts_notify_inserts AFTER INSERT ON alerts
            REFERENCING NEW TABLE AS changed_alerts FOR EACH STATEMENT EXECUTE FUNCTION notify_alert_inserts();
        CREATE TRIGGER alerts_notify_updates AFTER UPDATE ON alerts
            REFERENCING OLD TABLE AS previous_alerts NEW TABLE AS changed_alerts FOR EACH STATEMENT EXECUTE FUNCTION notify_alert_updates();

        -- The dispatchers wake at the commit of whatever queued work: new deliveries (alert changes, test messages)
        -- and an admin's retry (attempts back to 0; a dispatcher's claim of a FAILED one counts up and wakes nobody). NOTIFY folds repeats within a transaction into one.
        CREATE FUNCTION notify_deliveries_queued() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{{NotifyChannels.Notifications}}', '');
            RETURN NULL;
        END $$;
        CREATE TRIGGER notification_deliveries_queued AFTER INSERT ON notification_deliveries
            FOR EACH STATEMENT EXECUTE FUNCTION notify_deliveries_queued();
        CREATE TRIGGER notification_deliveries_requeued AFTER UPDATE OF status ON notification_deliveries
            FOR EACH ROW WHEN (NEW.status = 1 AND OLD.status IN (3, 4) AND NEW.attempts = 0) EXECUTE FUNCTION notify_deliveries_queued();

        -- An SLA breach is not a write to the alert (time passes): the sweep records each breach once here, and
        -- queues its deliveries in the same statement.
        CREATE TABLE alert_sla_breaches (
            alert_id bigint PRIMARY KEY,
            breached_at timestamp with time zone NOT NULL
        );
        COMMENT ON TABLE alert_sla_breaches IS 'Alerts whose SLA breach was noticed (and notified) by the notification dispatcher''s sweep.';
        """;

    public const string Down = """
        DROP TABLE alert_sla_breaches;
        DROP TRIGGER notification_deliveries_requeued ON notification_deliveries;
        DROP TRIGGER notification_deliveries_queued ON notification_deliveries;
        DROP FUNCTION notify_deliveries_queued();
        DROP TRIGGER alerts_notify_updates ON alerts;
        DROP TRIGGER alerts_notify_inserts ON alerts;
        DROP FUNCTION notify_alert_updates();
        DROP FUNCTION notify_alert_inserts();
        DROP FUNCTION notification_enqueue(text, bigint[]);
        """;

    /// <summary>
    /// The SLA sweep: alerts whose acknowledge or close step fell due in the last day (served by ix_alerts_ack_pending
    /// and ix_alerts_resolve_pending) and still is not done, each recorded once, with its alert.sla_breached deliveries
    /// queued in the same statement. Alerts that fell due longer ago than that (the platform was down a day) are not
    /// notified late. $1: now.
    /// </summary>
    public const string Sweep = """
        WITH due AS (
            SELECT id FROM alerts WHERE first_acknowledged_at IS NULL AND ack_due_at <= $1 AND ack_due_at > $1 - interval '1 day'
            UNION
            SELECT id FROM alerts WHERE closed_at IS NULL AND resolve_due_at <= $1 AND resolve_due_at > $1 - interval '1 day'
        ), noticed AS (
            INSERT INTO alert_sla_breaches (alert_id, breached_at)
            SELECT id, $1 FROM due ORDER BY id
            ON CONFLICT (alert_id) DO NOTHING
            RETURNING alert_id
        )
        SELECT notification_enqueue('alert.sla_breached', ARRAY(SELECT alert_id FROM noticed ORDER BY alert_id))
        """;
}
