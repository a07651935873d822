using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Infrastructure.Persistence.Batch;

/// <summary>
/// Batch ingest in three round trips whatever the batch size: binary COPY into a temporary staging table, then one
/// statement that moves the rows into <c>events</c> (skipping stored (source, external_id) pairs) and raises the alerts
/// of the rows it stored, then COMMIT. EF Core's change tracker would cost a round trip and an entity per row.
/// </summary>
internal sealed class EventBatchWriter(NpgsqlDataSource dataSource, ApplicationDbContext db) : IEventBatchWriter
{
    // ON COMMIT DROP: the table lives for one transaction, so a pooled connection never carries stale rows.
    private const string CreateStaging = """
        CREATE TEMPORARY TABLE event_batch_staging (
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
            detection_technique text
        ) ON COMMIT DROP
        """;

    private const string CopyStaging = """
        COPY event_batch_staging (source, event_type, severity, description, occurred_at, source_ip, destination_ip,
                                  metadata, external_id, "timestamp", ingested_by_id, sensor_id, detection_model,
                                  detection_model_version, detection_confidence, detection_technique) FROM STDIN (FORMAT BINARY)
        """;

    // One statement, so events and alerts stand or fall together even before the COMMIT. Rows go in (source,
    // external_id) order: two concurrent batches that share keys then take their row locks in the same order and wait
    // for each other instead of deadlocking. Alerts carry the snapshot columns the alert list filters on, and the SLA
    // due times the Domain's SlaPolicy computed per severity for this batch's moment (the single path asks it too).
    private const string MoveAndRaise = """
        WITH stored AS (
            INSERT INTO events (source, event_type, severity, description, occurred_at, source_ip, destination_ip,
                                metadata, external_id, "timestamp", ingested_by_id, sensor_id, detection_model,
                                detection_model_version, detection_confidence, detection_technique)
            SELECT source, event_type, severity, description, occurred_at, source_ip, destination_ip,
                   metadata, external_id, "timestamp", ingested_by_id, sensor_id, detection_model,
                   detection_model_version, detection_confidence, detection_technique
            FROM event_batch_staging
            ORDER BY source, external_id
            ON CONFLICT (source, external_id) DO NOTHING
            RETURNING id, severity, source, event_type, description, external_id, detection_model,
                      detection_model_version, detection_confidence, detection_technique
        ), raised AS (
            INSERT INTO alerts (event_id, status, severity, source, event_type, description, detection_model,
                                detection_model_version, detection_confidence, detection_technique, created_at, updated_at,
                                ack_due_at, resolve_due_at)
            SELECT id, @open, stored.severity, source, event_type, description, detection_model,
                   detection_model_version, detection_confidence, detection_technique, @at, @at,
                   due.ack_due_at, due.resolve_due_at
            FROM stored
            LEFT JOIN unnest(@due_severity, @ack_due_at, @resolve_due_at) AS due(severity, ack_due_at, resolve_due_at)
                   ON due.severity = stored.severity
            WHERE stored.severity = ANY(@alerting)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM stored)::integer, (SELECT count(*) FROM raised)::integer,
               ARRAY(SELECT source FROM stored WHERE external_id IS NOT NULL),
               ARRAY(SELECT external_id FROM stored WHERE external_id IS NOT NULL)
        """;

    public async Task<EventBatchWriteResult> WriteAsync(
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return new EventBatchWriteResult(0, 0, new HashSet<(string, string)>());
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var create = new NpgsqlCommand(CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await CopyAsync(connection, events, cancellationToken);

        EventBatchWriteResult result;
        await using (var move = new NpgsqlCommand(MoveAndRaise, connection, transaction))
        {
            move.Parameters.Add(new NpgsqlParameter<short>("open", NpgsqlDbType.Smallint) { TypedValue = (short)AlertStatus.Open });
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
                sources.Zip(externalIds).ToHashSet());
        }

        // Committed before the caller answers 200: an acknowledged event and its alert are durable.
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public async Task<IReadOnlyList<SecurityEvent>> FindStoredAsync(
        IReadOnlyCollection<(string Source, string ExternalId)> keys,
        CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        // Served by the unique (source, external_id) index; the exact pairs are picked in memory.
        var externalIds = keys.Select(k => k.ExternalId).Distinct().ToList();
        var sources = keys.Select(k => k.Source).Distinct().ToList();
        var candidates = await db.Events.AsNoTracking()
            .Where(e => e.ExternalId != null && sources.Contains(e.Source) && externalIds.Contains(e.ExternalId))
            .ToListAsync(cancellationToken);
        var wanted = keys.ToHashSet();
        return [.. candidates.Where(e => wanted.Contains((e.Source, e.ExternalId!)))];
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<SecurityEvent> events, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopyStaging, cancellationToken);
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
