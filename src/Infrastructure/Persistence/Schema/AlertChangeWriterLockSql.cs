namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// Every transaction that writes alert_changes holds a shared advisory lock (<see cref="AdvisoryLocks.AlertChangeWriters"/>)
/// from before it takes its change ids until it ends. A reader that takes the lock exclusively, and only then reads the
/// log, knows that no id below the highest it sees can still be committed: every gap there is a rolled-back
/// transaction, final at once. Without that the reader waited <see cref="AlertChangeLog.GapGrace"/> (2 s) after any
/// rollback of an alert write (a cancelled request, a retried fingerprint), holding every later frame back.
/// </summary>
/// <remarks>
/// <c>log_alert_changes()</c> last created by migration AlertChangeWriterLock (this text, on <see cref="NotifyChannels.AlertChanges"/>);
/// the triggers <c>alerts_log_inserts</c> and <c>alerts_log_updates</c> and the table by migration AlertChangeLog.
/// </remarks>
internal static class AlertChangeWriterLockSql
{
    private const string Body = $$"""
            WITH logged AS (
                INSERT INTO alert_changes (alert_id, kind)
                SELECT id, CASE TG_OP WHEN 'INSERT' THEN 1 ELSE 2 END FROM changed_alerts ORDER BY id
                RETURNING id
            )
            SELECT max(id) INTO last_id FROM logged;
            IF last_id IS NOT NULL THEN
                PERFORM pg_notify('{{NotifyChannels.AlertChanges}}', last_id::text);
            END IF;
            RETURN NULL;
        """;

    public static readonly string Up = $$"""
        CREATE OR REPLACE FUNCTION log_alert_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            last_id bigint;
        BEGIN
            PERFORM pg_advisory_xact_lock_shared({{AdvisoryLocks.AlertChangeWriters}}, 0);
        {{Body}}
        END $$;
        """;

    public static readonly string Down = $$"""
        CREATE OR REPLACE FUNCTION log_alert_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            last_id bigint;
        BEGIN
        {{Body}}
        END $$;
        """;
}
