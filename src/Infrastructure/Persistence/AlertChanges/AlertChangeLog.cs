using Npgsql;
using ThreatPlatform.Application.Alerts.StreamAlerts;

namespace ThreatPlatform.Infrastructure.Persistence.AlertChanges;

/// <summary>
/// alert_changes through raw Npgsql: the table belongs to a trigger, not to the EF model (no entity would ever be saved
/// through it), and the gap check walks ids, which LINQ would not say more clearly.
/// </summary>
internal sealed class AlertChangeLog(NpgsqlDataSource dataSource) : IAlertChangeLog
{
    /// <summary>The channel the trigger notifies after every statement that changed alerts.</summary>
    public const string NotifyChannel = "tp_alert_changes";

    /// <summary>
    /// How long a gap in the ids may stay open before it counts as a rolled-back transaction. Ids are taken before
    /// commit, so a reader that ran past a gap could miss a change committed a moment later; the log is read only up to
    /// the first gap younger than this (one alert insert or update commits in milliseconds).
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
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, changed_at < clock_timestamp() - $2 AS settled
            FROM alert_changes WHERE id > $1 ORDER BY id LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = GapGrace });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = SettleWindow });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var settled = after;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (id != settled + 1 && !reader.GetBoolean(1))
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
