namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// Hand-written SQL of migration EventPartitions (kept here so it can be re-applied if the migration is regenerated;
/// it runs after the migration's generated operations): <c>events</c> becomes a table partitioned by month on
/// <c>timestamp</c> (the server-set ingest time, so a sensor cannot steer rows into odd partitions), idempotency moves
/// to the unpartitioned <c>event_keys</c> table, and the functions the maintenance job (and the bench seeder) call to
/// create and drop partitions.
/// <para>
/// Why a key table: a unique index on a partitioned table must contain the partition key, and (source, external_id,
/// timestamp) would let a repeat sent next month be stored twice. <c>event_keys (source, external_id)</c> keeps the key
/// global; a BEFORE INSERT trigger on <c>events</c> writes it in the inserting statement, so every writer (EF Core's
/// single ingest, the batch statement, the bench seeder, hand-run SQL) keeps it true without knowing it exists, and a
/// repeat is refused by <c>pk_event_keys</c> exactly where the old unique index refused it.
/// </para>
/// <para>
/// Why SECURITY DEFINER functions: the API's database role owns nothing (docker/postgres/grants.sql) and cannot create
/// or drop tables; these functions run as the owner that ran the migration and do only what their names say.
/// </para>
/// </summary>
/// <remarks>Last created by migration EventPartitions, which runs this text (the key trigger since: EventKeysPerStatementSql).</remarks>
public static class EventPartitionsSql
{
    /// <summary>The partition that catches rows no month partition takes; it should stay empty (the job creates months ahead).</summary>
    public const string DefaultPartition = "events_default";

    /// <summary>The unique constraint that refuses a second event with a stored (source, external_id).</summary>
    public const string KeyConstraint = "pk_event_keys";

    // The events table's secondary indexes and its foreign keys, the same on the partitioned table (Up: partitioned
    // indexes, one per partition) and on the single table Down brings back.
    private const string SecondaryIndexes = """
        CREATE INDEX ix_events_timestamp ON events ("timestamp");
        CREATE INDEX ix_events_occurred_at ON events (occurred_at);
        CREATE INDEX ix_events_severity_timestamp ON events (severity, "timestamp");
        CREATE INDEX ix_events_severity_timestamp_desc ON events (severity, "timestamp" DESC);
        CREATE INDEX ix_events_event_type_timestamp ON events (event_type, "timestamp");
        CREATE INDEX ix_events_sensor_id_timestamp ON events (sensor_id, "timestamp");
        CREATE INDEX ix_events_ingested_by_id ON events (ingested_by_id);
        CREATE INDEX ix_events_folded_into_alert_id_timestamp ON events (folded_into_alert_id, "timestamp") WHERE folded_into_alert_id IS NOT NULL;
        CREATE INDEX ix_events_detection_technique_timestamp ON events (detection_technique, "timestamp") WHERE detection_technique IS NOT NULL;
        CREATE INDEX ix_events_detection_confidence_timestamp ON events (detection_confidence, "timestamp") WHERE detection_confidence IS NOT NULL;
        CREATE INDEX ix_events_search_trgm ON events USING gin (source gin_trgm_ops, event_type gin_trgm_ops, description gin_trgm_ops);
        """;

    private const string ForeignKeys = """
        ALTER TABLE events ADD CONSTRAINT fk_events_users_ingested_by_id FOREIGN KEY (ingested_by_id) REFERENCES users (id) ON DELETE SET NULL;
        ALTER TABLE events ADD CONSTRAINT fk_events_sensors_sensor_id FOREIGN KEY (sensor_id) REFERENCES sensors (id) ON DELETE SET NULL;
        ALTER TABLE events ADD CONSTRAINT fk_events_alerts_folded_into_alert_id FOREIGN KEY (folded_into_alert_id) REFERENCES alerts (id) ON DELETE SET NULL;
        """;

    public const string Up = $$"""
        -- hand-written: EventPartitions (re-apply after the generated operations if this migration is regenerated).

        -- 1. Alerts keep their snapshot and may outlive their event: dropping a month must neither be blocked by alerts
        --    nor delete them (and a foreign key to events(id) cannot exist once the key is (id, timestamp)).
        ALTER TABLE alerts DROP CONSTRAINT IF EXISTS fk_alerts_events_event_id;

        -- 2. The global idempotency key, filled from the stored events.
        CREATE TABLE event_keys (
            source character varying(255) NOT NULL,
            external_id character varying(255) NOT NULL,
            event_id bigint NOT NULL,
            "timestamp" timestamp with time zone NOT NULL,
            CONSTRAINT {{KeyConstraint}} PRIMARY KEY (source, external_id)
        );
        COMMENT ON TABLE event_keys IS 'One row per stored event with an external_id: keeps (source, external_id) unique across every partition of events. Written by the trigger events_record_key; rows of a dropped partition are deleted by the retention job first.';
        INSERT INTO event_keys (source, external_id, event_id, "timestamp")
            SELECT source, external_id, id, "timestamp" FROM events WHERE external_id IS NOT NULL;

        CREATE FUNCTION tp_record_event_key() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO event_keys (source, external_id, event_id, "timestamp")
                VALUES (NEW.source, NEW.external_id, NEW.id, NEW."timestamp");
            RETURN NEW;
        END $$;

        -- 3. The partitioned table: same columns (LIKE copies them as the generated operations left them), a fresh identity
        --    sequence named events_id_seq continuing where the old one stopped (batch staging takes ids from it).
        ALTER TABLE events RENAME TO events_unpartitioned;
        ALTER TABLE events_unpartitioned RENAME CONSTRAINT pk_events TO pk_events_unpartitioned;
        ALTER SEQUENCE events_id_seq RENAME TO events_unpartitioned_id_seq;
        CREATE TABLE events (LIKE events_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS)
            PARTITION BY RANGE ("timestamp");
        SELECT setval('events_id_seq', s.last_value, s.is_called) FROM events_unpartitioned_id_seq s;

        {{Functions}}

        -- 4. The months the stored rows need, this month and three ahead, and the DEFAULT partition; then the rows.
        SELECT tp_ensure_event_partitions(
            coalesce((SELECT min("timestamp") FROM events_unpartitioned), now()),
            now() + interval '3 months');
        CREATE TABLE {{DefaultPartition}} PARTITION OF events DEFAULT;
        INSERT INTO events OVERRIDING SYSTEM VALUE SELECT * FROM events_unpartitioned;
        DROP TABLE events_unpartitioned;

        -- 5. Every index of the old table, now partitioned indexes on the parent (each partition gets its own). The primary
        --    key must hold the partition key: (id, timestamp). EF Core keeps Id as the entity key (ids stay unique: one
        --    sequence). The unique (source, external_id) index is now a plain one: event_keys holds the uniqueness; this one
        --    serves the source filter and the lookup of a repeat's stored twin.
        ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id, "timestamp");
        CREATE INDEX ix_events_source_external_id ON events (source, external_id);
        {{SecondaryIndexes}}

        -- 6. Foreign keys from events to other tables stay (a partitioned table may reference others).
        {{ForeignKeys}}

        -- 7. The key trigger (events had no triggers before; this is its only one). Rows without an external_id skip it.
        CREATE TRIGGER events_record_key BEFORE INSERT ON events
            FOR EACH ROW WHEN (NEW.external_id IS NOT NULL) EXECUTE FUNCTION tp_record_event_key();

        ANALYZE events;
        ANALYZE event_keys;
        """;

    /// <summary>
    /// The maintenance functions (part of <see cref="Up"/>). Months are UTC calendar months; a partition is named
    /// events_yYYYYmMM and holds [first instant of the month, first instant of the next).
    /// </summary>
    public const string Functions = $$"""
        -- Creates the missing month partitions covering [from_time, to_time] and returns their names. Rows the DEFAULT
        -- partition holds for such a month (the job did not run for months, or a row arrived with an odd clock) are moved
        -- into it, with their keys, in the same transaction.
        CREATE FUNCTION tp_ensure_event_partitions(from_time timestamptz, to_time timestamptz)
        RETURNS SETOF text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            month_start timestamptz := date_trunc('month', from_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
            month_end timestamptz;
            name text;
            stray bigint;
        BEGIN
            IF from_time IS NULL OR to_time IS NULL OR to_time < from_time THEN
                RAISE EXCEPTION 'tp_ensure_event_partitions: from_time (%) must not be after to_time (%)', from_time, to_time;
            END IF;
            WHILE month_start <= to_time LOOP
                month_end := ((month_start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
                name := 'events_' || to_char(month_start AT TIME ZONE 'UTC', '"y"YYYY"m"MM');
                IF to_regclass(name) IS NULL THEN
                    stray := 0;
                    IF to_regclass('{{DefaultPartition}}') IS NOT NULL THEN
                        CREATE TEMPORARY TABLE IF NOT EXISTS tp_stray_events (LIKE events) ON COMMIT DROP;
                        WITH moved AS (
                            DELETE FROM {{DefaultPartition}} WHERE "timestamp" >= month_start AND "timestamp" < month_end RETURNING *)
                        INSERT INTO tp_stray_events SELECT * FROM moved;
                        GET DIAGNOSTICS stray = ROW_COUNT;
                        -- The trigger writes their keys again as the rows go back in.
                        DELETE FROM event_keys k USING tp_stray_events s
                            WHERE k.source = s.source AND k.external_id = s.external_id AND k.event_id = s.id;
                    END IF;
                    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name, month_start, month_end);
                    IF stray > 0 THEN
                        INSERT INTO events OVERRIDING SYSTEM VALUE SELECT * FROM tp_stray_events;
                        TRUNCATE tp_stray_events;
                    END IF;
                    RETURN NEXT name;
                END IF;
                month_start := month_end;
            END LOOP;
        END $$;

        -- The month partitions whose whole range ends at or before cutoff (oldest first): what retention drops.
        CREATE FUNCTION tp_expired_event_partitions(cutoff timestamptz)
        RETURNS TABLE (partition_name text, range_start timestamptz, range_end timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
            SELECT * FROM (
                SELECT c.relname::text,
                       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
                       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
                FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'events'::regclass
                  AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
            ) p (partition_name, range_start, range_end)
            WHERE range_end <= cutoff
            ORDER BY range_start
        $$;

        -- Deletes the event_keys rows of up to batch_size events of one partition, those with an id above after_id;
        -- returns the highest id it looked at (null when none is left). Called in its own transaction per batch, so a
        -- big month's keys go without one long transaction.
        CREATE FUNCTION tp_delete_event_keys(partition_name text, after_id bigint, batch_size integer)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            last_id bigint;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = 'events'::regclass AND inhrelid = to_regclass(partition_name)) THEN
                RAISE EXCEPTION 'tp_delete_event_keys: % is not a partition of events', partition_name;
            END IF;
            EXECUTE format(
                'WITH batch AS (SELECT id, source, external_id FROM %I WHERE id > $1 ORDER BY id LIMIT $2),
                      gone AS (DELETE FROM event_keys k USING batch b
                               WHERE b.external_id IS NOT NULL AND k.source = b.source AND k.external_id = b.external_id AND k.event_id = b.id)
                 SELECT max(id) FROM batch', partition_name)
                INTO last_id USING after_id, batch_size;
            RETURN last_id;
        END $$;

        -- Detaches and drops one month partition whose range ends at or before cutoff (its keys deleted first by
        -- tp_delete_event_keys); refuses anything else. Waits at most lock_timeout for the parent's lock, so a long
        -- query delays retention to the next run instead of queueing every insert behind it.
        CREATE FUNCTION tp_drop_event_partition(partition_name text, cutoff timestamptz)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '5s' AS $$
        DECLARE
            expired boolean;
            rows_dropped bigint;
        BEGIN
            SELECT EXISTS (SELECT 1 FROM tp_expired_event_partitions(cutoff) p WHERE p.partition_name = tp_drop_event_partition.partition_name)
                INTO expired;
            IF NOT expired THEN
                RAISE EXCEPTION 'tp_drop_event_partition: % is not a month partition of events ending by %', partition_name, cutoff;
            END IF;
            EXECUTE format('SELECT count(*) FROM %I', partition_name) INTO rows_dropped;
            EXECUTE format('ALTER TABLE events DETACH PARTITION %I', partition_name);
            EXECUTE format('DROP TABLE %I', partition_name);
            RETURN rows_dropped;
        END $$;

        -- Only the roles the database owner grants (docker/postgres/grants.sql grants the API role) may call them.
        REVOKE ALL ON FUNCTION tp_ensure_event_partitions(timestamptz, timestamptz) FROM PUBLIC;
        REVOKE ALL ON FUNCTION tp_expired_event_partitions(timestamptz) FROM PUBLIC;
        REVOKE ALL ON FUNCTION tp_delete_event_keys(text, bigint, integer) FROM PUBLIC;
        REVOKE ALL ON FUNCTION tp_drop_event_partition(text, timestamptz) FROM PUBLIC;
        """;

    /// <summary>Back to one unpartitioned table with the unique (source, external_id) index; event_keys and the functions go.</summary>
    public const string Down = $$"""
        DROP TRIGGER IF EXISTS events_record_key ON events;
        ALTER TABLE events RENAME TO events_partitioned;
        ALTER TABLE events_partitioned RENAME CONSTRAINT pk_events TO pk_events_partitioned;
        ALTER SEQUENCE events_id_seq RENAME TO events_partitioned_id_seq;
        CREATE TABLE events (LIKE events_partitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE);
        SELECT setval('events_id_seq', s.last_value, s.is_called) FROM events_partitioned_id_seq s;
        INSERT INTO events OVERRIDING SYSTEM VALUE SELECT * FROM events_partitioned;
        DROP TABLE events_partitioned CASCADE;
        ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id);
        CREATE UNIQUE INDEX ix_events_source_external_id ON events (source, external_id);
        {{SecondaryIndexes}}
        {{ForeignKeys}}
        -- NOT VALID: alerts whose events retention dropped stay (they are not checked, new rows are).
        ALTER TABLE alerts ADD CONSTRAINT fk_alerts_events_event_id FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE NOT VALID;
        DROP FUNCTION IF EXISTS tp_drop_event_partition(text, timestamptz);
        DROP FUNCTION IF EXISTS tp_delete_event_keys(text, bigint, integer);
        DROP FUNCTION IF EXISTS tp_expired_event_partitions(timestamptz);
        DROP FUNCTION IF EXISTS tp_ensure_event_partitions(timestamptz, timestamptz);
        DROP TABLE IF EXISTS event_keys;
        DROP FUNCTION IF EXISTS tp_record_event_key();
        """;
}
