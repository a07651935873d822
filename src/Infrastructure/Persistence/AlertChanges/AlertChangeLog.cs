using Npgsql;
using ThreatPlatform.Application.Alerts.StreamAlerts;

namespace ThreatPlatform.Infrastructure.Persistence.AlertChanges;

/// <summary>
/// alert_changes through raw Npgsql: the table belongs to a trigger, not to the EF model (no entity would ever be saved
/// through it), and the gap check walks ids, which LINQ would not say more clearly.
/// </summary>
internal sealed class AlertChangeLog(NpgsqlDataSource dataSource) : IAlertChangeLog
{
    /// <summary>
    /// How long a gap in the ids may stay open before it counts as a rolled-back transaction while writers are busy.
    /// Ids are taken before commit, so a reader that ran past a gap could miss a change committed a moment later; the
    /// log is read only up to the first gap younger than this (one alert insert or update commits in milliseconds).
    /// When no writer holds <see cref="AdvisoryLocks.AlertChangeWriters"/> a gap is final at once.
    /// </summary>
    public static readonly TimeSpan GapGrace = TimeSpan.FromSeconds(2);

    private const int SettleWindow = 10_000;

    public async Task<long> LatestIdAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT coalesce(max(id), 0) FROM alert_changes");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> SettledUpToAsync(long after, CancellationToken cancellationToken)
    {
        // One round trip, one implicit transaction, two statements: the writers' lock first (taken only when no writer
        // holds it, never waited for, released at the end), then the log, read with a snapshot taken after the lock. With
        // the lock no change id is in flight, so every gap below the highest id read is a rollback and final at once;
        // without it a gap counts as final once the change after it is GapGrace old.
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_try_advisory_xact_lock({AdvisoryLocks.AlertChangeWriters}, 0)"));
        var read = new NpgsqlBatchCommand(
            """
            SELECT id, changed_at < clock_timestamp() - $2 AS settled
            FROM alert_changes WHERE id > $1 ORDER BY id LIMIT $3
            """);
        read.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        read.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = GapGrace });
        read.Parameters.Add(new NpgsqlParameter<int> { TypedValue = SettleWindow });
        batch.BatchCommands.Add(read);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var quiet = reader.GetBoolean(0);
        await reader.NextResultAsync(cancellationToken);
        var settled = after;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (id != settled + 1 && !quiet && !reader.GetBoolean(1))
            {
                break;
            }

            settled = id;
        }

        return settled;
    }

    public async Task<IReadOnlyList<AlertChange>> ReadAsync(long after, long upTo, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, alert_id, kind FROM alert_changes WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var changes = new List<AlertChange>();
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new AlertChange(reader.GetInt64(0), reader.GetInt64(1), (AlertChangeKind)reader.GetInt16(2)));
        }

        return changes;
    }

    public async Task<int> DeleteOlderThanAsync(TimeSpan age, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM alert_changes WHERE changed_at < clock_timestamp() - $1");
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = age });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
