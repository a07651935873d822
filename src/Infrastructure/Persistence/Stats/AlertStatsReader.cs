using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Stats.GetAlertStats;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Infrastructure.Persistence.Stats;

/// <summary>
/// GET /api/stats/alerts/ as one NpgsqlBatch (one round trip, four statements over the window's alerts): counts by
/// status and severity, the buckets (generate_series, so empty ones are zeros), the busiest sources, and the
/// median / p90 times to ACKNOWLEDGED and to a closed status from the history (percentile_cont).
/// </summary>
internal sealed class AlertStatsReader(NpgsqlDataSource dataSource, ConnectionBudget budget) : IAlertStatsReader
{
    private const string Window = "a.created_at >= $1 AND a.created_at < $2";

    public async Task<AlertStatsFigures> ReadAsync(AlertStatsWindow window, CancellationToken cancellationToken)
    {
        var unit = window.Bucket == StatsBucket.Hour ? "hour" : "day";
        var step = window.Bucket == StatsBucket.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);

        await using var connection = await budget.OpenAsync(dataSource, cancellationToken);
        await using var batch = connection.CreateBatch();
        Add(batch, $"SELECT a.status, a.severity, count(*) FROM alerts a WHERE {Window} GROUP BY a.status, a.severity", window);

        // Buckets in UTC whatever the session's time zone: timestamp arithmetic, converted back at the end.
        Add(batch, $"""
            SELECT s.start AT TIME ZONE 'UTC', coalesce(c.n, 0)
            FROM generate_series(date_trunc('{unit}', $1 AT TIME ZONE 'UTC'), ($2 AT TIME ZONE 'UTC') - interval '1 microsecond', $3) AS s(start)
            LEFT JOIN (
                SELECT date_trunc('{unit}', a.created_at AT TIME ZONE 'UTC') AS start, count(*) AS n
                FROM alerts a WHERE {Window} GROUP BY 1
            ) c ON c.start = s.start
            ORDER BY s.start
            """, window, new NpgsqlParameter<TimeSpan> { TypedValue = step });

        Add(batch, $"""
            SELECT a.source, count(*) FROM alerts a WHERE {Window}
            GROUP BY a.source ORDER BY count(*) DESC, a.source LIMIT $3
            """, window, new NpgsqlParameter<int> { TypedValue = window.TopSources });

        // The first time each alert reached ACKNOWLEDGED, and a closed status, after its creation (a reopened alert
        // counts its first close). percentile_cont skips the nulls of alerts that never got there. A change comes after
        // its alert's creation, so only history changed since `from` can match: the hash join builds on less.
        Add(batch, $"""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ack), percentile_cont(0.9) WITHIN GROUP (ORDER BY t.ack),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY t.res), percentile_cont(0.9) WITHIN GROUP (ORDER BY t.res)
            FROM (
                SELECT extract(epoch FROM min(h.changed_at) FILTER (WHERE h.to_status = $3) - a.created_at)::float8 AS ack,
                       extract(epoch FROM min(h.changed_at) FILTER (WHERE h.to_status = ANY ($4)) - a.created_at)::float8 AS res
                FROM alerts a JOIN alert_status_changes h ON h.alert_id = a.id
                WHERE {Window} AND h.changed_at >= $1
                GROUP BY a.id
            ) t
            """,
            window,
            new NpgsqlParameter<short> { TypedValue = (short)AlertStatus.Acknowledged },
            new NpgsqlParameter<short[]> { TypedValue = [(short)AlertStatus.Resolved, (short)AlertStatus.FalsePositive] });

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var counts = new List<StatusSeverityCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new StatusSeverityCount((AlertStatus)reader.GetInt16(0), (Severity)reader.GetInt16(1), reader.GetInt64(2)));
        }

        await reader.NextResultAsync(cancellationToken);
        var overTime = new List<BucketCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            overTime.Add(new BucketCount(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1)));
        }

        await reader.NextResultAsync(cancellationToken);
        var sources = new List<SourceCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sources.Add(new SourceCount(reader.GetString(0), reader.GetInt64(1)));
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new AlertStatsFigures(
            counts,
            overTime,
            sources,
            new DurationPercentiles(Nullable(reader, 0), Nullable(reader, 1)),
            new DurationPercentiles(Nullable(reader, 2), Nullable(reader, 3)));
    }

    private static void Add(NpgsqlBatch batch, string sql, AlertStatsWindow window, params NpgsqlParameter[] more)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.From, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.To, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.AddRange(more);
        batch.BatchCommands.Add(command);
    }

    private static double? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
}
