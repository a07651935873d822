using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Persistence.Batch;

/// <summary>
/// Batch ingest in three round trips whatever the batch size: binary COPY into a temporary staging table, then one
/// statement that moves the rows into <c>events</c> (skipping stored (source, external_id) pairs), raises the alerts of
/// the rows it stored or folds them into collecting alerts (grouping), then COMMIT. EF Core's change tracker would cost a round trip and an entity per row.
/// </summary>
internal sealed class EventBatchWriter(NpgsqlDataSource dataSource, ConnectionBudget budget, ApplicationDbContext db) : IEventBatchWriter
{
    // ON COMMIT DROP: the table lives for one transaction, so a pooled connection never carries stale rows. Each row
    // takes its event id as COPY writes it, so ids follow the batch's order (the first of a fingerprint's events is the
    // one that raises its alert, as in single ingest), and alerts can be decided before the events are written.
    internal const string CreateStaging = """
        CREATE TEMPORARY TABLE event_batch_staging (
            id bigint NOT NULL DEFAULT nextval('events_id_seq'),
            source text NOT NULL,
            event_type text NOT NULL,
            severity smallint NOT NULL,
            description text NOT NULL,
            occurred_at timestamptz NOT NULL,
            source_ip inet,
            destination_ip inet,
            metadata jsonb,
            external_id text,
            "timestamp" timestamptz NOT NULL,
            ingested_by_id bigint,
            sensor_id bigint,
            detection_model text,
            detection_model_version text,
            detection_confidence double precision,
            detection_technique text,
            groups boolean NOT NULL,
            format smallint NOT NULL DEFAULT 0,
            raw text
        ) ON COMMIT DROP
        """;

    private const string CopyStaging = """
        COPY event_batch_staging (source, event_type, severity, description, occurred_at, source_ip, destination_ip,
                                  metadata, external_id, "timestamp", ingested_by_id, sensor_id, detection_model,
                                  detection_model_version, detection_confidence, detection_technique, groups, format, raw) FROM STDIN (FORMAT BINARY)
        """;

    // One statement, so events, alerts and history stand or fall together. The Domain's rules, set-wise:
    // - fresh: the rows whose (source, external_id) event_keys does not hold yet (a retry's twin is the caller's
    //   duplicate or conflict); events' trigger writes the keys of the rows stored here, and refuses (pk_event_keys) a
    //   key another writer stored after this statement's snapshot: the whole attempt then starts again. One index probe
    //   per row (LATERAL … LIMIT 1): written as `external_id IS NULL OR NOT EXISTS (…)` the planner hashed the whole
    //   of event_keys for every batch (162 of 340 ms at 200,000 keys, growing with the table);
    // - severe: Alert.RaiseFor's rule (@alerting); a grouping sensor's severe rows share a group: the fingerprint's
    //   first row in batch order (group_id);
    // - collecting: the alert each fingerprint folds into (Alert.Fold), locked and read as it is now; a fingerprint with
    //   none opens one, raised by its first row (its id taken now so the events can name it);
    // - the rows are written with the alert they folded into; an alert's occurrences, first/last seen, severity and SLA
    //   due times change as Alert.Fold changes them, one time for the whole group, with one ESCALATED entry when the
    //   group raises the severity.
    // Rows go into events in (source, external_id) order: two concurrent batches that share keys take their row locks
    // in the same order and wait for each other instead of deadlocking.
    internal const string MoveAndRaise = """
        WITH fresh AS MATERIALIZED (
            SELECT s.* FROM event_batch_staging s
            LEFT JOIN LATERAL (SELECT true AS stored FROM event_keys k
                               WHERE k.source = s.source AND k.external_id = s.external_id LIMIT 1) k ON true
            WHERE k.stored IS NULL
        ), severe AS MATERIALIZED (
            SELECT id, CASE WHEN groups AND sensor_id IS NOT NULL
                            THEN min(id) OVER (PARTITION BY groups, sensor_id, source, event_type, source_ip, destination_ip) END AS group_id
            FROM fresh
            WHERE severity = ANY(@alerting)
        ), due AS MATERIALIZED (
            SELECT * FROM unnest(@due_severity, @ack_due_at, @resolve_due_at) AS d(severity, ack_due_at, resolve_due_at)
        ), grouped AS MATERIALIZED (
            SELECT s.group_id, count(*) AS n, max(f.severity) AS top, min(f.occurred_at) AS first_seen, max(f.occurred_at) AS last_seen
            FROM severe s JOIN fresh f ON f.id = s.id
            WHERE s.group_id IS NOT NULL
            GROUP BY s.group_id
        ), collecting AS MATERIALIZED (
            SELECT a.id, a.severity, g.group_id
            FROM grouped g
            JOIN fresh f ON f.id = g.group_id
            JOIN alerts a ON a.folds_events AND a.sensor_id = f.sensor_id AND a.source = f.source AND a.event_type = f.event_type
                         AND a.source_ip IS NOT DISTINCT FROM f.source_ip AND a.destination_ip IS NOT DISTINCT FROM f.destination_ip
                         AND a.rule_id IS NULL
            ORDER BY a.id
            FOR UPDATE OF a
        ), target AS MATERIALIZED (
            SELECT g.*, f.severity AS first_severity,
                   coalesce(c.id, nextval('alerts_id_seq')) AS alert_id,
                   c.id IS NULL AS opens,
                   coalesce(c.severity, f.severity) AS held
            FROM grouped g
            JOIN fresh f ON f.id = g.group_id
            LEFT JOIN collecting c ON c.group_id = g.group_id
        ), stored AS (
            INSERT INTO events (id, source, event_type, severity, description, occurred_at, source_ip, destination_ip,
                                metadata, external_id, "timestamp", ingested_by_id, sensor_id, detection_model,
                                detection_model_version, detection_confidence, detection_technique, folded_into_alert_id,
                                format, raw)
            SELECT f.id, f.source, f.event_type, f.severity, f.description, f.occurred_at, f.source_ip, f.destination_ip,
                   f.metadata, f.external_id, f."timestamp", f.ingested_by_id, f.sensor_id, f.detection_model,
                   f.detection_model_version, f.detection_confidence, f.detection_technique,
                   CASE WHEN t.opens AND t.group_id = f.id THEN NULL ELSE t.alert_id END,
                   f.format, f.raw
            FROM fresh f
            LEFT JOIN severe s ON s.id = f.id
            LEFT JOIN target t ON t.group_id = s.group_id
            ORDER BY f.source, f.external_id
            RETURNING id, source, external_id, folded_into_alert_id
        ), raised AS (
            INSERT INTO alerts (id, event_id, status, severity, source, event_type, description, detection_model,
                                detection_model_version, detection_confidence, detection_technique, created_at, updated_at,
                                ack_due_at, resolve_due_at, sensor_id, source_ip, destination_ip, occurrences,
                                first_seen_at, last_seen_at, folds_events)
            SELECT coalesce(t.alert_id, nextval('alerts_id_seq')), f.id, @open, coalesce(t.top, f.severity), f.source,
                   f.event_type, f.description, f.detection_model, f.detection_model_version, f.detection_confidence,
                   f.detection_technique, @at, @at,
                   least(first_due.ack_due_at, top_due.ack_due_at), least(first_due.resolve_due_at, top_due.resolve_due_at),
                   f.sensor_id, f.source_ip, f.destination_ip, coalesce(t.n, 1), coalesce(t.first_seen, f.occurred_at),
                   coalesce(t.last_seen, f.occurred_at), t.group_id IS NOT NULL
            FROM severe s
            JOIN fresh f ON f.id = s.id
            LEFT JOIN target t ON t.group_id = s.id
            LEFT JOIN due first_due ON first_due.severity = f.severity
            LEFT JOIN due top_due ON top_due.severity = t.top
            WHERE s.group_id IS NULL OR t.opens
            RETURNING 1
        ), folded AS (
            UPDATE alerts a
            SET occurrences = a.occurrences + t.n,
                first_seen_at = least(a.first_seen_at, t.first_seen),
                last_seen_at = greatest(a.last_seen_at, t.last_seen),
                severity = greatest(a.severity, t.top),
                ack_due_at = CASE WHEN t.top > a.severity THEN least(a.ack_due_at, top_due.ack_due_at) ELSE a.ack_due_at END,
                resolve_due_at = CASE WHEN t.top > a.severity THEN least(a.resolve_due_at, top_due.resolve_due_at) ELSE a.resolve_due_at END,
                updated_at = @at
            FROM target t
            LEFT JOIN due top_due ON top_due.severity = t.top
            WHERE a.id = t.alert_id AND NOT t.opens
            RETURNING 1
        ), escalated AS (
            INSERT INTO alert_history (alert_id, action, from_severity, to_severity, changed_by_id, changed_at)
            SELECT alert_id, @escalated, held, top, NULL, @at
            FROM target
            WHERE top > held
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM stored)::integer, (SELECT count(*) FROM raised)::integer,
               ARRAY(SELECT source FROM stored WHERE external_id IS NOT NULL),
               ARRAY(SELECT external_id FROM stored WHERE external_id IS NOT NULL),
               (SELECT count(*) FROM stored WHERE folded_into_alert_id IS NOT NULL)::integer
        """;

    // The staging rows in batch order (ids follow COPY's order) and whether each was stored (not a repeat of a stored key).
    internal const string StagedRows = """
        SELECT s.id, EXISTS (SELECT 1 FROM events e WHERE e.id = s.id AND e."timestamp" = s."timestamp")
        FROM event_batch_staging s ORDER BY s.id
        """;

    // Detection rules' alerts for stored events (one per rule and event), as RaiseAlertsOnRuleMatches raises them on
    // single ingest: severity from the rule's level; a grouping sensor's hits of one rule with one fingerprint fold into
    // the rule's collecting alert (locked), or open one raised by the group's first event; a folded event names the
    // alert it folded into when it names none yet. Rule alerts never escalate (one rule, one level).
    internal const string RaiseRuleAlerts = """
        WITH hit AS MATERIALIZED (
            SELECT s.*, h.rule_id, h.rule_title, h.rule_level, h.rule_technique, h.rule_severity, h.n AS hit_order
            FROM unnest(@event_ids, @rule_ids, @titles, @levels, @techniques, @severities)
                 WITH ORDINALITY AS h(event_id, rule_id, rule_title, rule_level, rule_technique, rule_severity, n)
            JOIN event_batch_staging s ON s.id = h.event_id
        ), keyed AS MATERIALIZED (
            SELECT h.*, CASE WHEN h.groups AND h.sensor_id IS NOT NULL
                             THEN min(h.id) OVER (PARTITION BY h.rule_id, h.sensor_id, h.source, h.event_type, h.source_ip, h.destination_ip) END AS group_id
            FROM hit h
        ), grouped AS MATERIALIZED (
            SELECT group_id, rule_id, count(*) AS n, min(occurred_at) AS first_seen, max(occurred_at) AS last_seen
            FROM keyed WHERE group_id IS NOT NULL
            GROUP BY group_id, rule_id
        ), collecting AS MATERIALIZED (
            SELECT a.id, g.group_id, g.rule_id
            FROM grouped g
            JOIN keyed k ON k.id = g.group_id AND k.rule_id = g.rule_id
            JOIN alerts a ON a.folds_events AND a.rule_id = g.rule_id AND a.sensor_id = k.sensor_id AND a.source = k.source
                         AND a.event_type = k.event_type AND a.source_ip IS NOT DISTINCT FROM k.source_ip
                         AND a.destination_ip IS NOT DISTINCT FROM k.destination_ip
            ORDER BY a.id
            FOR UPDATE OF a
        ), target AS MATERIALIZED (
            SELECT g.*, coalesce(c.id, nextval('alerts_id_seq')) AS alert_id, c.id IS NULL AS opens
            FROM grouped g
            LEFT JOIN collecting c ON c.group_id = g.group_id AND c.rule_id = g.rule_id
        ), raising AS MATERIALIZED (
            SELECT k.*, t.alert_id AS target_id, t.n AS group_n, t.first_seen, t.last_seen
            FROM keyed k
            LEFT JOIN target t ON t.group_id = k.id AND t.rule_id = k.rule_id
            WHERE k.group_id IS NULL OR t.opens
        ), raised AS (
            INSERT INTO alerts (id, event_id, status, severity, source, event_type, description, detection_model,
                                detection_model_version, detection_confidence, detection_technique, created_at, updated_at,
                                ack_due_at, resolve_due_at, sensor_id, source_ip, destination_ip, occurrences,
                                first_seen_at, last_seen_at, folds_events, rule_id, rule_title, rule_level, rule_technique)
            SELECT coalesce(r.target_id, nextval('alerts_id_seq')), r.id, @open, r.rule_severity, r.source, r.event_type,
                   r.description, r.detection_model, r.detection_model_version, r.detection_confidence, r.detection_technique,
                   @at, @at, due.ack_due_at, due.resolve_due_at, r.sensor_id, r.source_ip, r.destination_ip,
                   coalesce(r.group_n, 1), coalesce(r.first_seen, r.occurred_at), coalesce(r.last_seen, r.occurred_at),
                   r.group_id IS NOT NULL, r.rule_id, r.rule_title, r.rule_level, r.rule_technique
            FROM raising r
            LEFT JOIN unnest(@due_severity, @ack_due_at, @resolve_due_at) AS due(severity, ack_due_at, resolve_due_at)
                   ON due.severity = r.rule_severity
            ORDER BY r.hit_order
            RETURNING event_id
        ), folded AS (
            UPDATE alerts a
            SET occurrences = a.occurrences + t.n,
                first_seen_at = least(a.first_seen_at, t.first_seen),
                last_seen_at = greatest(a.last_seen_at, t.last_seen),
                updated_at = @at
            FROM target t
            WHERE a.id = t.alert_id AND NOT t.opens
            RETURNING 1
        ), marked AS (
            UPDATE events e SET folded_into_alert_id = m.alert_id
            FROM (SELECT DISTINCT ON (k.id) k.id, k."timestamp", t.alert_id
                  FROM keyed k JOIN target t ON t.group_id = k.group_id AND t.rule_id = k.rule_id
                  WHERE NOT (t.opens AND k.group_id = k.id)
                  ORDER BY k.id, k.rule_id) m
            WHERE e.id = m.id AND e."timestamp" = m."timestamp" AND e.folded_into_alert_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM alerts x WHERE x.event_id = m.id)
              AND NOT EXISTS (SELECT 1 FROM raised x WHERE x.event_id = m.id)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM raised)::integer, (SELECT coalesce(sum(n), 0) FROM target WHERE NOT opens)::integer
               + (SELECT coalesce(sum(n - 1), 0) FROM target WHERE opens)::integer, (SELECT count(*) FROM marked)::integer
        """;

    // Each staged row in batch order: the id it was stored with and the alert it answers with (as EventQueries.WithAlertId
    // reads it), how many alerts it raised and whether it folded; no stored row for one a stored twin kept out. One
    // index probe per staged row (LATERAL … LIMIT 1), as for event_keys above: group commit keeps this statement's plan,
    // and a plain join let a plan made while events was nearly empty hash the whole of events for every later group.
    internal const string WrittenRows = """
        SELECT e.id, coalesce(a.first_id, e.folded_into_alert_id), coalesce(a.raised, 0)::integer, e.folded_into_alert_id IS NOT NULL
        FROM event_batch_staging s
        LEFT JOIN LATERAL (SELECT e.id, e.folded_into_alert_id FROM events e
                           WHERE e.id = s.id AND e."timestamp" = s."timestamp" LIMIT 1) e ON true
        LEFT JOIN LATERAL (SELECT min(x.id) AS first_id, count(*) AS raised FROM alerts x WHERE x.event_id = e.id) a ON true
        ORDER BY s.id
        """;

    /// <summary>
    /// The staging table of group commit's writes (<see cref="WriteEachAsync"/>): kept per connection instead of per
    /// transaction. Created when missing, in the round trip of BEGIN (a rolled-back transaction that created it takes it
    /// away, so every transaction asks); ON COMMIT DELETE ROWS empties it at each commit, and a rollback takes back the
    /// rows it staged, so a pooled connection never carries rows into the next group. Nothing is written to the catalog
    /// per transaction, and the statements that name it keep their prepared plans on the connection (a table created
    /// anew makes PostgreSQL plan every statement that names it again). Its id default names the sequence as text, so
    /// the table holds no dependency on <c>events_id_seq</c> and follows a sequence replaced by a migration. Batch ingest
    /// keeps <see cref="CreateStaging"/>: its batches run to thousands of rows, and a plan kept from a small batch would
    /// serve a large one.
    /// </summary>
    internal const string GroupStagingTable = "event_group_staging";

    internal static readonly string CreateGroupStaging = CreateStaging
        .Replace("CREATE TEMPORARY TABLE event_batch_staging", $"CREATE TEMPORARY TABLE IF NOT EXISTS {GroupStagingTable}", StringComparison.Ordinal)
        .Replace("nextval('events_id_seq')", "nextval('events_id_seq'::text)", StringComparison.Ordinal)
        .Replace("ON COMMIT DROP", "ON COMMIT DELETE ROWS", StringComparison.Ordinal);

    /// <summary>The statements of one write, naming the staging table it uses.</summary>
    private sealed record Staging(string Create, string Copy, string MoveAndRaise, string StagedRows, string RaiseRuleAlerts, string WrittenRows)
    {
        public static readonly Staging PerTransaction = new(CreateStaging, CopyStaging, EventBatchWriter.MoveAndRaise, EventBatchWriter.StagedRows, EventBatchWriter.RaiseRuleAlerts, EventBatchWriter.WrittenRows);

        public static readonly Staging PerConnection = new(
            CreateGroupStaging,
            Group(CopyStaging),
            Group(EventBatchWriter.MoveAndRaise),
            Group(EventBatchWriter.StagedRows),
            Group(EventBatchWriter.RaiseRuleAlerts),
            Group(EventBatchWriter.WrittenRows));

        private static string Group(string sql) => sql.Replace("event_batch_staging", GroupStagingTable, StringComparison.Ordinal);
    }

    // A write starts again (a new transaction, new ids) when another writer got in between: it stored one of this
    // batch's (source, external_id) keys, or opened the collecting alert of one of its fingerprints, after this
    // statement's snapshot. The next attempt sees what it wrote. Bounded: each retry needs a fresh race to lose.
    private const int MaxAttempts = 5;

    public async Task<EventBatchWriteResult> WriteAsync(
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        RuleHits ruleHits,
        CancellationToken cancellationToken) =>
        (await WriteAsync(events, alertingSeverities, sla, at, ruleHits, each: false, cancellationToken)).Totals;

    public Task<EventGroupWriteResult> WriteEachAsync(
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        RuleHits ruleHits,
        CancellationToken cancellationToken) =>
        WriteAsync(events, alertingSeverities, sla, at, ruleHits, each: true, cancellationToken);

    private async Task<EventGroupWriteResult> WriteAsync(
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        RuleHits ruleHits,
        bool each,
        CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return new EventGroupWriteResult(new EventBatchWriteResult(0, 0, new HashSet<(string, string)>(), 0), []);
        }

        await using var connection = await budget.OpenAsync(dataSource, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteOnceAsync(connection, events, alertingSeverities, sla, at, ruleHits, each, cancellationToken);
            }
            catch (PostgresException e) when (LostRace(e))
            {
                // Rolled back (the transaction is disposed); the next attempt sees what the other writer committed.
                if (attempt >= MaxAttempts)
                {
                    throw new Conflict("Other writers kept storing this batch's events or alerts at the same moment; nothing was stored, send the batch again.");
                }
            }
        }
    }

    /// <summary>
    /// The refusals that mean another writer got in between: it opened a collecting alert this batch was opening; or it
    /// stored one of this batch's keys (event_keys refused it; the next attempt counts it a duplicate or a conflict);
    /// or two writers locked the same alerts and keys in opposite orders (a deadlock, one of them chosen to fail).
    /// </summary>
    private static bool LostRace(PostgresException e) => e switch
    {
        { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: UniqueIndexes.CollectingAlertFingerprint or UniqueIndexes.EventExternalId } => true,
        { SqlState: PostgresErrorCodes.ForeignKeyViolation, ConstraintName: "fk_events_alerts_folded_into_alert_id" } => true,
        { SqlState: PostgresErrorCodes.DeadlockDetected } => true,
        _ => false,
    };

    /// <summary>One attempt in one transaction: the result when committed; a concurrent writer that got in between makes it throw (rolled back).</summary>
    private static async Task<EventGroupWriteResult> WriteOnceAsync(
        NpgsqlConnection connection,
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        RuleHits ruleHits,
        bool each,
        CancellationToken cancellationToken)
    {
        var staging = each ? Staging.PerConnection : Staging.PerTransaction;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(staging.Create, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await CopyAsync(connection, staging.Copy, events, cancellationToken);

        EventBatchWriteResult result;
        await using (var move = new NpgsqlCommand(staging.MoveAndRaise, connection, transaction))
        {
            move.Parameters.Add(new NpgsqlParameter<short>("open", NpgsqlDbType.Smallint) { TypedValue = (short)AlertStatus.Open });
            move.Parameters.Add(new NpgsqlParameter<short>("escalated", NpgsqlDbType.Smallint) { TypedValue = (short)AlertHistoryAction.Escalated });
            move.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = at.ToUniversalTime() });
            move.Parameters.Add(new NpgsqlParameter<short[]>("alerting", NpgsqlDbType.Array | NpgsqlDbType.Smallint)
            {
                TypedValue = alertingSeverities.Select(s => (short)s).ToArray(),
            });
            var due = alertingSeverities.Select(s => (Severity: s, Due: sla.DueTimes(s, at))).ToList();
            move.Parameters.Add(new NpgsqlParameter<short[]>("due_severity", NpgsqlDbType.Array | NpgsqlDbType.Smallint)
            {
                TypedValue = due.Select(d => (short)d.Severity).ToArray(),
            });
            move.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("ack_due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                TypedValue = due.Select(d => d.Due.AckDueAt?.ToUniversalTime()).ToArray(),
            });
            move.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("resolve_due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                TypedValue = due.Select(d => d.Due.ResolveDueAt?.ToUniversalTime()).ToArray(),
            });
            await using var reader = await move.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var sources = reader.GetFieldValue<string[]>(2);
            var externalIds = reader.GetFieldValue<string[]>(3);
            result = new EventBatchWriteResult(
                reader.GetInt32(0),
                reader.GetInt32(1),
                sources.Zip(externalIds).ToHashSet(),
                reader.GetInt32(4));
        }

        if (!ruleHits.IsEmpty)
        {
            var raised = await RaiseRuleAlertsAsync(connection, transaction, staging, ruleHits, sla, at, cancellationToken);
            result = result with { AlertsCreated = result.AlertsCreated + raised.Raised, EventsFolded = result.EventsFolded + raised.Folded };
        }

        var written = each ? await WrittenAsync(connection, transaction, staging.WrittenRows, events.Count, cancellationToken) : [];

        // Committed before the caller answers 200: an acknowledged event and its alert are durable.
        await transaction.CommitAsync(cancellationToken);
        return new EventGroupWriteResult(result, written);
    }

    /// <summary>What became of each staged row, in batch order (read before COMMIT empties or drops the staging table).</summary>
    private static async Task<List<WrittenEvent?>> WrittenAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string writtenRows,
        int count,
        CancellationToken cancellationToken)
    {
        var written = new List<WrittenEvent?>(count);
        await using var command = new NpgsqlCommand(writtenRows, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            written.Add(reader.IsDBNull(0)
                ? null
                : new WrittenEvent(
                    reader.GetInt64(0),
                    reader.IsDBNull(1) ? null : reader.GetInt64(1),
                    reader.GetInt32(2),
                    reader.GetBoolean(3)));
        }

        return written;
    }

    /// <summary>
    /// The rule hits of the stored events: correlations counted first (in this transaction; their firings join the hits),
    /// then every hit's alert raised or folded in one statement. Answers the alerts raised and the hits folded.
    /// </summary>
    private static async Task<(int Raised, int Folded)> RaiseRuleAlertsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Staging staging,
        RuleHits ruleHits,
        SlaPolicy sla,
        DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        var stored = new List<bool>();
        await using (var staged = new NpgsqlCommand(staging.StagedRows, connection, transaction))
        await using (var reader = await staged.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
                stored.Add(reader.GetBoolean(1));
            }
        }

        var hits = ruleHits.Matches.Where(h => stored[h.EventIndex]).ToList();
        var observed = ruleHits.Correlations.Where(c => stored[c.EventIndex]).ToList();
        if (observed.Count > 0)
        {
            var fired = await Rules.CorrelationStore.ObserveAsync(connection, transaction, [.. observed.Select(o => o.Observation)], cancellationToken);
            hits.AddRange(fired
                .Select(i => (observed[i].EventIndex, observed[i].Observation.Rule.Match))
                .Where(h => h.Match.Level.AlertSeverity() is not null));
        }

        if (hits.Count == 0)
        {
            return (0, 0);
        }

        hits = [.. hits.OrderBy(h => h.EventIndex).ThenBy(h => h.Rule.RuleId)];
        var severities = Enum.GetValues<Severity>();
        await using var raise = new NpgsqlCommand(staging.RaiseRuleAlerts, connection, transaction);
        raise.Parameters.Add(new NpgsqlParameter<short>("open", NpgsqlDbType.Smallint) { TypedValue = (short)AlertStatus.Open });
        raise.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = at.ToUniversalTime() });
        raise.Parameters.Add(new NpgsqlParameter<long[]>("event_ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. hits.Select(h => ids[h.EventIndex])] });
        raise.Parameters.Add(new NpgsqlParameter<long[]>("rule_ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. hits.Select(h => h.Rule.RuleId)] });
        raise.Parameters.Add(new NpgsqlParameter<string[]>("titles", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. hits.Select(h => h.Rule.Title)] });
        raise.Parameters.Add(new NpgsqlParameter<short[]>("levels", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = [.. hits.Select(h => (short)h.Rule.Level)] });
        raise.Parameters.Add(new NpgsqlParameter<string?[]>("techniques", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. hits.Select(h => h.Rule.Technique)] });
        raise.Parameters.Add(new NpgsqlParameter<short[]>("severities", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = [.. hits.Select(h => (short)h.Rule.Severity)] });
        var due = severities.Select(s => (Severity: s, Due: sla.DueTimes(s, at))).ToList();
        raise.Parameters.Add(new NpgsqlParameter<short[]>("due_severity", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = [.. due.Select(d => (short)d.Severity)] });
        raise.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("ack_due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [.. due.Select(d => d.Due.AckDueAt?.ToUniversalTime())] });
        raise.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("resolve_due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [.. due.Select(d => d.Due.ResolveDueAt?.ToUniversalTime())] });
        await using var result = await raise.ExecuteReaderAsync(cancellationToken);
        await result.ReadAsync(cancellationToken);
        return (result.GetInt32(0), result.GetInt32(1));
    }

    public async Task<IReadOnlyList<SecurityEvent>> FindStoredAsync(
        IReadOnlyCollection<(string Source, string ExternalId)> keys,
        CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        // Served by the (source, external_id) index of each month partition; the exact pairs are picked in memory.
        var externalIds = keys.Select(k => k.ExternalId).Distinct().ToList();
        var sources = keys.Select(k => k.Source).Distinct().ToList();
        var candidates = await db.Events.AsNoTracking()
            .Where(e => e.ExternalId != null && sources.Contains(e.Source) && externalIds.Contains(e.ExternalId))
            .ToListAsync(cancellationToken);
        // Newest per key: while retention deletes an expiring month's keys, a key may be stored anew before the old
        // copy's partition is dropped.
        var wanted = keys.ToHashSet();
        return [.. candidates
            .Where(e => wanted.Contains((e.Source, e.ExternalId!)))
            .GroupBy(e => (e.Source, e.ExternalId))
            .Select(g => g.MaxBy(e => e.Timestamp)!)];
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string copy, IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
        foreach (var e in events)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(e.Source, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(e.EventType, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync((short)e.Severity, NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync(e.Description, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(importer, e.SourceIp, NpgsqlDbType.Inet, cancellationToken);
            await WriteNullableAsync(importer, e.DestinationIp, NpgsqlDbType.Inet, cancellationToken);
            await WriteNullableAsync(importer, e.Metadata, NpgsqlDbType.Jsonb, cancellationToken);
            await WriteNullableAsync(importer, e.ExternalId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(e.Timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(importer, e.IngestedById, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(importer, e.SensorId, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(importer, e.DetectionModel, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, e.DetectionModelVersion, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, e.DetectionConfidence, NpgsqlDbType.Double, cancellationToken);
            await WriteNullableAsync(importer, e.DetectionTechnique, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(e.Groups, NpgsqlDbType.Boolean, cancellationToken);
            await importer.WriteAsync((short)e.Format, NpgsqlDbType.Smallint, cancellationToken);
            await WriteNullableAsync(importer, e.Raw, NpgsqlDbType.Text, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : class =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
