using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ThreatPlatform.Infrastructure.Persistence.Partitions;

/// <summary>
/// Keeps the events table's month partitions ready ahead of time and, when <see cref="RetentionOptions.EventsDays"/>
/// is set, drops the months wholly older than the cutoff (their idempotency keys first, in batches). Runs at start and
/// every <see cref="RetentionOptions.IntervalSeconds"/>; one API replica works at a time (a PostgreSQL advisory lock,
/// tried, not awaited: the others skip that round). Done in the API rather than with pg_partman: no extension to
/// install, works on managed PostgreSQL, and the work is the migration's SQL functions (EventPartitionsSql), which
/// the tests exercise on the real database and the bench seeder calls too.
/// </summary>
internal sealed partial class EventPartitionMaintenance(
    NpgsqlDataSource dataSource,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<EventPartitionMaintenance> logger) : BackgroundService
{
    private readonly TaskCompletionSource _firstRun = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the run at start has ended (whatever it did), so tests can wait for it instead of sleeping.</summary>
    public Task FirstRun => _firstRun.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.IntervalSeconds), clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A failed round (database down, a lock not granted in time) is retried at the next one.
                LogFailed(e);
            }
            finally
            {
                _firstRun.TrySetResult();
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round; null when another replica holds the lock (it does the work).</summary>
    public async Task<MaintenanceRound?> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({AdvisoryLocks.EventPartitions}, 0)", [], cancellationToken))
        {
            LogSkipped();
            return null;
        }

        try
        {
            var now = clock.GetUtcNow();
            var created = await CreateAheadAsync(connection, now, settings.PartitionsAhead, cancellationToken);
            var dropped = settings.EventsDays is { } days
                ? await DropExpiredAsync(connection, now.AddDays(-days), settings.KeyDeleteBatchSize, cancellationToken)
                : [];
            return new MaintenanceRound(created, dropped);
        }
        finally
        {
            // Session-level lock on a pooled connection: release it before the connection goes back to the pool.
            await ScalarAsync<bool>(connection, $"SELECT pg_advisory_unlock({AdvisoryLocks.EventPartitions}, 0)", [], CancellationToken.None);
        }
    }

    private async Task<List<string>> CreateAheadAsync(NpgsqlConnection connection, DateTimeOffset now, int monthsAhead, CancellationToken cancellationToken)
    {
        var created = new List<string>();
        await using var command = new NpgsqlCommand("SELECT tp_ensure_event_partitions(@from, @to)", connection);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", NpgsqlDbType.TimestampTz) { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("to", NpgsqlDbType.TimestampTz) { TypedValue = now.AddMonths(monthsAhead) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            created.Add(reader.GetString(0));
        }

        foreach (var name in created)
        {
            LogCreated(name);
        }

        return created;
    }

    private async Task<List<DroppedPartition>> DropExpiredAsync(NpgsqlConnection connection, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var expired = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT partition_name FROM tp_expired_event_partitions(@cutoff)", connection))
        {
            list.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cutoff", NpgsqlDbType.TimestampTz) { TypedValue = cutoff });
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                expired.Add(reader.GetString(0));
            }
        }

        var dropped = new List<DroppedPartition>();
        foreach (var name in expired)
        {
            // Keys first, each batch its own transaction: while they go, a repeat of a deleted key is stored anew (its
            // old copy is about to go); the partition is dropped only once none of its keys is left.
            long keyBatches = 0;
            long? after = 0;
            while (after is { } from)
            {
                after = await ScalarAsync<long?>(
                    connection,
                    "SELECT tp_delete_event_keys(@name, @after, @batch)",
                    [new NpgsqlParameter<string>("name", name), new NpgsqlParameter<long>("after", from), new NpgsqlParameter<int>("batch", batchSize)],
                    cancellationToken);
                keyBatches++;
            }

            var rows = await ScalarAsync<long>(
                connection,
                "SELECT tp_drop_event_partition(@name, @cutoff)",
                [new NpgsqlParameter<string>("name", name), new NpgsqlParameter<DateTimeOffset>("cutoff", NpgsqlDbType.TimestampTz) { TypedValue = cutoff }],
                cancellationToken);
            LogDropped(name, rows, cutoff, keyBatches);
            dropped.Add(new DroppedPartition(name, rows));
        }

        return dropped;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)value;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event partitions: created {Partition}")]
    private partial void LogCreated(string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event partitions: dropped {Partition} ({Rows} events, older than the retention cutoff {Cutoff}; keys deleted in {KeyBatches} batches)")]
    private partial void LogDropped(string partition, long rows, DateTimeOffset cutoff, long keyBatches);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event partitions: another replica holds the maintenance lock; skipped this round")]
    private partial void LogSkipped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event partitions: the maintenance round failed; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}

/// <summary>What one maintenance round did: month partitions created, and those dropped with their event counts.</summary>
internal sealed record MaintenanceRound(IReadOnlyList<string> Created, IReadOnlyList<DroppedPartition> Dropped);

internal sealed record DroppedPartition(string Name, long Events);
