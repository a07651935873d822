using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ThreatPlatform.Infrastructure.Persistence.Replica;

/// <summary>The read replica's own pool (ConnectionStrings:ReadOnly), told apart from the primary's.</summary>
internal sealed record ReplicaDataSource(NpgsqlDataSource DataSource);

/// <summary>
/// Knows how far the read replica has got, and routes each request's queries by it. A look at the replica serves
/// Database:ReplicaCheckMilliseconds of requests (an idle API looks at it not at all). A replica that cannot be
/// reached, is not in recovery, or lags more than Database:ReplicaMaxLagSeconds sends every query to the primary until
/// it is back.
/// </summary>
internal sealed partial class ReplicaMonitor(
    ReplicaDataSource replica,
    WritePositions positions,
    TimeProvider time,
    IOptions<DatabaseOptions> options,
    ILogger<ReplicaMonitor> logger)
{
    /// <summary>
    /// Its replay position, and its lag: nothing to replay from a live stream (a WAL receiver runs) is no lag however
    /// long ago the last transaction was (an idle primary); otherwise the age of the last transaction it replayed.
    /// </summary>
    internal const string ProbeSql = """
        SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(),
               CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
                    THEN 0::float8
                    ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END,
               EXISTS (SELECT 1 FROM pg_stat_wal_receiver), current_setting('primary_slot_name', true)
        /* replica monitor */
        """;

    private readonly TimeSpan _checkEvery = TimeSpan.FromMilliseconds(options.Value.ReplicaCheckMilliseconds);
    private readonly TimeSpan _maxLag = TimeSpan.FromSeconds(options.Value.ReplicaMaxLagSeconds);
    private readonly Lock _gate = new();
    private volatile ReplicaSnapshot? _last;
    private Task<ReplicaSnapshot>? _refreshing;

    /// <summary>How often a replica found unusable is looked at again (in the background).</summary>
    public static readonly TimeSpan RetryUnusableAfter = TimeSpan.FromSeconds(1);

    public TimeSpan MaxLag => _maxLag;

    /// <summary>
    /// Where this caller's queries read. A usable look younger than Database:ReplicaCheckMilliseconds decides at once;
    /// an older one is renewed first (one look at a time, the requests that need it wait for the same one). A replica
    /// found unusable is looked at again in the background, at most once every <see cref="RetryUnusableAfter"/>, while
    /// the queries read the primary: a replica that is down costs requests nothing.
    /// </summary>
    public async ValueTask<ReadTarget> ChooseAsync(long? userId, CancellationToken cancellationToken)
    {
        var snapshot = _last;
        var age = snapshot is null ? TimeSpan.MaxValue : time.GetElapsedTime(snapshot.TakenAt);
        if (snapshot is { Usable: false })
        {
            if (age >= RetryUnusableAfter)
            {
                RefreshInBackground();
            }

            return ReadTarget.Primary;
        }

        if (age >= _checkEvery)
        {
            snapshot = await RefreshOnceAsync().WaitAsync(cancellationToken);
            age = time.GetElapsedTime(snapshot.TakenAt);
        }

        return ReadRouting.Choose(snapshot, age, userId is { } id ? positions.Of(id) : null, _maxLag);
    }

    /// <summary>Where this caller's queries read, without waiting: for a read that did not go through the query pipeline.</summary>
    public ReadTarget Choose(long? userId)
    {
        var snapshot = _last;
        var age = snapshot is null ? TimeSpan.MaxValue : time.GetElapsedTime(snapshot.TakenAt);
        if (age >= _checkEvery)
        {
            RefreshInBackground();
        }

        return ReadRouting.Choose(snapshot, age, userId is { } id ? positions.Of(id) : null, _maxLag);
    }

    /// <summary>Looks at the replica now (the health check; the background refresh).</summary>
    public async Task<ReplicaSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        ReplicaSnapshot snapshot;
        try
        {
            await using var command = replica.DataSource.CreateCommand(ProbeSql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var inRecovery = reader.GetBoolean(0);
            snapshot = inRecovery && !reader.IsDBNull(1)
                ? new ReplicaSnapshot(
                    time.GetTimestamp(),
                    Usable: true,
                    (ulong)reader.GetFieldValue<NpgsqlLogSequenceNumber>(1),
                    reader.IsDBNull(2) ? null : reader.GetDouble(2),
                    Problem: null,
                    Receiving: reader.GetBoolean(3),
                    SlotName: reader.IsDBNull(4) ? null : reader.GetString(4))
                : new ReplicaSnapshot(time.GetTimestamp(), Usable: false, 0, null, "not a standby in recovery");
        }
        catch (Exception ex) when ((ex is NpgsqlException or TimeoutException or InvalidOperationException)
                                       && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, ex);
            snapshot = new ReplicaSnapshot(time.GetTimestamp(), Usable: false, 0, null, "unreachable");
        }

        var previous = _last;
        _last = snapshot;
        if (snapshot.Usable)
        {
            positions.Forget(snapshot.ReplayLsn, _maxLag);
        }

        if (previous?.Usable != snapshot.Usable)
        {
            if (snapshot.Usable)
            {
                LogUsable(logger);
            }
            else
            {
                LogUnusable(logger, snapshot.Problem);
            }
        }

        return snapshot;
    }

    /// <summary>The look in progress, or a new one: concurrent requests share it.</summary>
    private Task<ReplicaSnapshot> RefreshOnceAsync()
    {
        lock (_gate)
        {
            return _refreshing ??= RefreshAndForgetAsync();
        }
    }

    private async Task<ReplicaSnapshot> RefreshAndForgetAsync()
    {
        await Task.Yield();
        try
        {
            return await RefreshAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // A look that failed in an unforeseen way must not fail the request nor take the process down.
            LogRefreshFailed(logger, ex);
            var failed = new ReplicaSnapshot(time.GetTimestamp(), Usable: false, 0, null, "unreachable");
            _last = failed;
            return failed;
        }
        finally
        {
            lock (_gate)
            {
                _refreshing = null;
            }
        }
    }

    private void RefreshInBackground() => _ = RefreshOnceAsync();

    [LoggerMessage(Level = LogLevel.Debug, Message = "The read replica did not answer")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The read replica is not usable ({Problem}): queries read from the primary")]
    private static partial void LogUnusable(ILogger logger, string? problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "The read replica is usable again: queries read from it")]
    private static partial void LogUsable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking at the read replica failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
