using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Infrastructure.Persistence.Batch;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>
/// Batch ingest's one statement stays proportional to the batch, not to the table: the check of each staged row's
/// (source, external_id) against event_keys probes the key index row by row. Written as `external_id IS NULL OR NOT
/// EXISTS (…)` the planner hashed the whole key table for every batch (a sequential scan growing with every event
/// stored). The exact statement the writer sends, under EXPLAIN, on 50,000 stored keys and a staged batch of 1,000.
/// </summary>
public sealed class BatchPlanTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_key_check_probes_the_key_index_instead_of_reading_every_stored_key()
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, null, """
            INSERT INTO event_keys (source, external_id, event_id, "timestamp")
            SELECT 'sensor-' || (i % 1200), 'stored-' || i, i, now() FROM generate_series(1, 50000) i;
            ANALYZE event_keys;
            """);

        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, transaction, EventBatchWriter.CreateStaging);
        await ExecuteAsync(connection, transaction, """
            INSERT INTO event_batch_staging (source, event_type, severity, description, occurred_at, external_id, "timestamp", groups)
            SELECT 'sensor-' || (i % 1200), 'port_scan', (i % 4 + 1)::smallint, 'probe ' || i, now(),
                   CASE WHEN i % 10 = 0 THEN NULL ELSE 'staged-' || i END, now(), false
            FROM generate_series(1, 1000) i;
            """);
        await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + EventBatchWriter.MoveAndRaise, connection, transaction);
        var at = DateTimeOffset.UtcNow;
        explain.Parameters.Add(new NpgsqlParameter<short>("open", NpgsqlDbType.Smallint) { TypedValue = 1 });
        explain.Parameters.Add(new NpgsqlParameter<short>("escalated", NpgsqlDbType.Smallint) { TypedValue = 5 });
        explain.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = at });
        explain.Parameters.Add(new NpgsqlParameter<short[]>("alerting", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = [3, 4] });
        explain.Parameters.Add(new NpgsqlParameter<short[]>("due_severity", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = [3, 4] });
        explain.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("ack_due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [at, at] });
        explain.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>("resolve_due_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = [at, at] });
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        await transaction.RollbackAsync();

        var keyReads = Nodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "event_keys")
            .Select(n => $"{n.GetProperty("Node Type").GetString()} {(n.TryGetProperty("Index Name", out var index) ? index.GetString() : string.Empty)}".Trim())
            .ToList();
        keyReads.Should().NotBeEmpty().And.OnlyContain(
            read => read == "Index Only Scan pk_event_keys" || read == "Index Scan pk_event_keys",
            "each staged row is looked up by its key; a sequential scan reads every stored key for every batch");
    }

    [Fact]
    public async Task The_read_back_of_a_few_staged_rows_probes_events_by_index_instead_of_reading_every_event()
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, null, """
            INSERT INTO events (source, event_type, severity, description, occurred_at, "timestamp")
            SELECT 'plan-' || (i % 1200), 'port_scan', 1, 'stored ' || i, now(), now() FROM generate_series(1, 50000) i;
            ANALYZE events;
            """);

        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, transaction, EventBatchWriter.CreateStaging);
        await ExecuteAsync(connection, transaction, """
            INSERT INTO event_batch_staging (source, event_type, severity, description, occurred_at, "timestamp", groups)
            SELECT 'plan-staged', 'port_scan', 1, 'staged ' || i, now(), now(), false FROM generate_series(1, 5) i;
            """);
        // The plan group commit keeps is made on a connection's first groups; on a young database (events nearly empty)
        // that plan hashes events, and the connection keeps it as events grows. Joins other than a nested loop are
        // turned off here to ask for that plan: the statement must leave the planner no other way than a probe per row.
        await ExecuteAsync(connection, transaction, "SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off;");
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + EventBatchWriter.WrittenRows, connection, transaction);
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        await transaction.RollbackAsync();

        // Month partitions the staged rows cannot be in may show as scans that never run or read nothing.
        var eventReads = Nodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString()!.StartsWith("events", StringComparison.Ordinal))
            .Select(n => (Type: n.GetProperty("Node Type").GetString(),
                          Read: n.GetProperty("Actual Rows").GetDouble() + (n.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetDouble() : 0)))
            .ToList();
        eventReads.Should().NotBeEmpty().And.NotContain(
            read => read.Type == "Seq Scan" && read.Read > 0,
            "group commit keeps this statement's plan, made knowing nothing of the few staged rows: a sequential scan would read every event for every group");
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }
}
