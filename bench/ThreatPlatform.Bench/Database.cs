using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Bench;

/// <summary>The benchmark's own database on the configured server, and the raw Npgsql measurements against it.</summary>
internal sealed class Database(Settings settings) : IAsyncDisposable
{
    private const string EventColumns =
        "source, event_type, severity, description, occurred_at, source_ip, destination_ip, metadata, external_id, \"timestamp\", ingested_by_id";

    // Sections (10), (11) and (13) run on databases of their own beside the main one: each gets its own name, or the
    // next one's CreateAsync would drop (WITH FORCE) the database the main API is using.
    private static int s_created;

    private NpgsqlDataSource? _dataSource;

    public string Name { get; } = $"tp_bench_{Environment.ProcessId}_{Interlocked.Increment(ref s_created)}";

    public string ConnectionString { get; private set; } = string.Empty;

    public NpgsqlDataSource Source => _dataSource ?? throw new InvalidOperationException("Create the database first.");

    public async Task CreateAsync()
    {
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        await ExecuteOnServerAsync($"CREATE DATABASE \"{Name}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(settings.ServerConnectionString)
        {
            Database = Name,
            MaxPoolSize = 200,
            CommandTimeout = 0,
        }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            if (Environment.GetEnvironmentVariable("BENCH_KEEP_DATABASE") == "1")
            {
                Console.WriteLine($"BENCH_KEEP_DATABASE=1: database {Name} kept for a look at its plans (drop it when done).");
                return;
            }

            await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        }
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = Source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = Source.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string> TextAsync(string sql)
    {
        await using var command = Source.CreateCommand(sql);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Empties events and alerts (fresh files, fresh identities) so each phase starts from the same state.</summary>
    public async Task ResetAsync()
    {
        await ExecuteAsync("TRUNCATE alert_history, alerts, events, event_keys RESTART IDENTITY CASCADE");
        try
        {
            // Flush now rather than in the middle of the next measurement (needs superuser or pg_checkpoint; optional).
            await ExecuteAsync("CHECKPOINT");
        }
        catch (PostgresException)
        {
        }
    }

    /// <summary>
    /// (12) Binary COPY of <paramref name="count"/> events from one connection, <paramref name="perTransaction"/> rows per
    /// COPY statement (each its own transaction and commit, as a batch request is). The events are built before the clock
    /// starts, as the batch bodies are.
    /// </summary>
    public async Task<TimeSpan> CopyEventsInTransactionsAsync(int count, int perTransaction, string series)
    {
        var events = Enumerable.Range(0, count).Select(i => Data.Event(i, series)).ToList();
        await using var connection = await Source.OpenConnectionAsync();
        var started = Stopwatch.GetTimestamp();
        for (var start = 0; start < count; start += perTransaction)
        {
            var now = DateTimeOffset.UtcNow;
            await using var importer = await connection.BeginBinaryImportAsync($"COPY events ({EventColumns}) FROM STDIN (FORMAT BINARY)");
            for (var i = start; i < Math.Min(count, start + perTransaction); i++)
            {
                await WriteEventAsync(importer, events[i], now);
            }

            await importer.CompleteAsync();
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>(12) Single-row INSERTs, each its own round trip and transaction, from <paramref name="connections"/> connections at once.</summary>
    public async Task<LoadResult> InsertLoadAsync(int connections, TimeSpan duration)
    {
        const string insert = $"INSERT INTO events ({EventColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)";
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections).Select(async worker =>
        {
            var latencies = new List<double>(100_000);
            await using var connection = await Source.OpenConnectionAsync();
            await using var command = new NpgsqlCommand(insert, connection);
            var parameters = new NpgsqlParameter[]
            {
                new() { NpgsqlDbType = NpgsqlDbType.Text }, new() { NpgsqlDbType = NpgsqlDbType.Text },
                new() { NpgsqlDbType = NpgsqlDbType.Smallint }, new() { NpgsqlDbType = NpgsqlDbType.Text },
                new() { NpgsqlDbType = NpgsqlDbType.TimestampTz }, new() { NpgsqlDbType = NpgsqlDbType.Inet },
                new() { NpgsqlDbType = NpgsqlDbType.Inet }, new() { NpgsqlDbType = NpgsqlDbType.Jsonb },
                new() { NpgsqlDbType = NpgsqlDbType.Text }, new() { NpgsqlDbType = NpgsqlDbType.TimestampTz },
            };
            command.Parameters.AddRange(parameters);
            await command.PrepareAsync();
            for (var i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
            {
                var e = Data.Event((worker * 10_000_000) + i, $"raw{connections}");
                parameters[0].Value = e.Source;
                parameters[1].Value = e.EventType;
                parameters[2].Value = (short)e.Severity;
                parameters[3].Value = e.Description;
                parameters[4].Value = e.OccurredAt;
                parameters[5].Value = e.SourceIp;
                parameters[6].Value = e.DestinationIp;
                parameters[7].Value = e.Metadata;
                parameters[8].Value = e.ExternalId;
                parameters[9].Value = DateTimeOffset.UtcNow;
                var sent = Stopwatch.GetTimestamp();
                await command.ExecuteNonQueryAsync();
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }

            return latencies;
        }).ToList();
        var started = Stopwatch.GetTimestamp();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToList();
        return LoadResult.From(all, Stopwatch.GetElapsedTime(started), errors: 0);
    }

    /// <summary>
    /// (5) Seeds <paramref name="count"/> alerts and their events with COPY, the way a bulk load is done: secondary indexes
    /// dropped first and rebuilt after (their definitions are read from the catalog, so they are exactly the migration's).
    /// </summary>
    /// <param name="events">Events in all: past <paramref name="count"/> (the alerts' own), LOW and MEDIUM ones that raised
    /// no alert, spread over the same 90 days (a 10 M-event table under 1 M alerts).</param>
    public async Task<TimeSpan> SeedAlertsAsync(int count, int events = 0)
    {
        var started = Stopwatch.GetTimestamp();
        await ResetAsync();
        var indexes = new List<(string Name, string Definition)>();
        await using (var command = Source.CreateCommand("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename IN ('events', 'alerts')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                // pg_indexes shows a partitioned table's index as "ON ONLY events": made that way it would stay an
                // empty shell on the parent and no month partition would get it (every list then scans the months).
                indexes.Add((reader.GetString(0), reader.GetString(1).Replace(" ON ONLY ", " ON ", StringComparison.Ordinal)));
            }
        }

        foreach (var (name, _) in indexes)
        {
            await ExecuteAsync($"DROP INDEX \"{name}\"");
        }

        // A bulk load of history, not live changes: the live stream's change-log triggers stay off while it loads, and
        // so does events' key trigger (the keys are written in one statement after, like an index built after the load).
        await ExecuteAsync("ALTER TABLE alerts DISABLE TRIGGER USER");
        await ExecuteAsync("ALTER TABLE events DISABLE TRIGGER USER");
        var alerting = SeverityRules.AlertingSeverities;
        var createdFrom = DateTimeOffset.UtcNow.AddDays(-90);

        // events is partitioned by month: the past months the history lands in are created first, by the migration's
        // function the API's maintenance job calls (the DEFAULT partition should stay empty).
        await ExecuteAsync($"SELECT tp_ensure_event_partitions('{createdFrom:O}', now())");
        await using (var connection = await Source.OpenConnectionAsync())
        {
            await using (var copy = await connection.BeginBinaryImportAsync($"COPY events (id, {EventColumns}) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < count; i++)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                    await WriteEventColumnsAsync(copy, Data.Event(i, "seed", alerting[i % alerting.Count]), createdFrom.AddSeconds(i * 7.776));
                }

                var extra = Math.Max(0, events - count);
                var step = 90 * 86_400.0 / Math.Max(1, extra);
                for (var i = 0; i < extra; i++)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync((long)count + i + 1, NpgsqlDbType.Bigint);
                    await WriteEventColumnsAsync(copy, Data.Event(count + i, "quiet", i % 2 == 0 ? Severity.Low : Severity.Medium), createdFrom.AddSeconds(i * step));
                }

                await copy.CompleteAsync();
            }

            await using (var alerts = await connection.BeginBinaryImportAsync(
                "COPY alerts (id, event_id, status, severity, source, event_type, description, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < count; i++)
                {
                    var e = Data.Event(i, "seed", alerting[i % alerting.Count]);
                    var created = createdFrom.AddSeconds(i * 7.776);
                    await alerts.StartRowAsync();
                    await alerts.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                    await alerts.WriteAsync((long)i + 1, NpgsqlDbType.Bigint);
                    await alerts.WriteAsync((short)Data.StatusOf(i), NpgsqlDbType.Smallint);
                    await alerts.WriteAsync((short)e.Severity, NpgsqlDbType.Smallint);
                    await alerts.WriteAsync(e.Source, NpgsqlDbType.Text);
                    await alerts.WriteAsync(e.EventType, NpgsqlDbType.Text);
                    await alerts.WriteAsync(e.Description, NpgsqlDbType.Text);
                    await alerts.WriteAsync(created, NpgsqlDbType.TimestampTz);
                    await alerts.WriteAsync(created, NpgsqlDbType.TimestampTz);
                }

                await alerts.CompleteAsync();
            }
        }

        await ExecuteAsync("ALTER TABLE alerts ENABLE TRIGGER USER");
        await ExecuteAsync("ALTER TABLE events ENABLE TRIGGER USER");
        await ExecuteAsync("INSERT INTO event_keys (source, external_id, event_id, \"timestamp\") SELECT source, external_id, id, \"timestamp\" FROM events WHERE external_id IS NOT NULL");
        foreach (var (_, definition) in indexes)
        {
            await ExecuteAsync(definition);
        }

        // Every index rebuilt must serve its queries: an invalid one (a partitioned index some partition lacks) would
        // make the list rows measure sequential scans instead of the product.
        var invalid = await ScalarAsync("SELECT count(*) FROM pg_index WHERE NOT indisvalid");
        if (invalid != 0)
        {
            throw new InvalidOperationException($"{invalid} index(es) are invalid after the seed's rebuild.");
        }

        await ExecuteAsync($"SELECT setval(pg_get_serial_sequence('events', 'id'), {Math.Max(count, events)}), setval(pg_get_serial_sequence('alerts', 'id'), {count})");
        await ExecuteAsync("VACUUM ANALYZE events");
        await ExecuteAsync("VACUUM ANALYZE alerts");
        await ExecuteAsync("VACUUM ANALYZE event_keys");
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task WriteEventAsync(NpgsqlBinaryImporter importer, BenchEvent e, DateTimeOffset receivedAt)
    {
        await importer.StartRowAsync();
        await WriteEventColumnsAsync(importer, e, receivedAt);
    }

    private static async Task WriteEventColumnsAsync(NpgsqlBinaryImporter importer, BenchEvent e, DateTimeOffset receivedAt)
    {
        await importer.WriteAsync(e.Source, NpgsqlDbType.Text);
        await importer.WriteAsync(e.EventType, NpgsqlDbType.Text);
        await importer.WriteAsync((short)e.Severity, NpgsqlDbType.Smallint);
        await importer.WriteAsync(e.Description, NpgsqlDbType.Text);
        await importer.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz);
        await importer.WriteAsync(e.SourceIp, NpgsqlDbType.Inet);
        await importer.WriteAsync(e.DestinationIp, NpgsqlDbType.Inet);
        await importer.WriteAsync(e.Metadata, NpgsqlDbType.Jsonb);
        await importer.WriteAsync(e.ExternalId, NpgsqlDbType.Text);
        await importer.WriteAsync(receivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        await importer.WriteNullAsync();
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(settings.ServerConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
