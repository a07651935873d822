using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Stats.GetAlertStats;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Infrastructure.Persistence.Stats;

/// <summary>
/// GET /api/stats/alerts/ as one NpgsqlBatch (one round trip, two statements over the window's alerts): counts by
/// status and severity, the buckets (generate_series, so empty ones are zeros) and the busiest sources from one walk of
/// the window, and the median / p90 times to ACKNOWLEDGED and to a closed status from the history (percentile_cont).
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
        // Counts, buckets and sources from one walk over the window's alerts (GROUPING SETS: one scan feeds three
        // groupings; three statements walked the window three times, most of the request's time at 1 M alerts).
        // GROUPING(status, severity, start, source) is a bit mask of the columns a row is not grouped by: 3 for
        // (status, severity), 13 for (start), 14 for (source). Buckets in UTC whatever the session's time zone; empty
        // ones are zeros (generate_series). Rows come ordered: part 0, part 1 by start, part 2 busiest first.
        Add(batch, $"""
            WITH g AS MATERIALIZED (
                SELECT status, severity, start, source, count(*) AS n, GROUPING(status, severity, start, source) AS grouped_by
                FROM (
                    SELECT a.status, a.severity, date_trunc('{unit}', a.created_at AT TIME ZONE 'UTC') AS start, a.source
                    FROM alerts a WHERE {Window}
                ) w
                GROUP BY GROUPING SETS ((status, severity), (start), (source))
            )
            SELECT 0 AS part, status, severity, NULL::timestamptz AS start, NULL::text AS source, n FROM g WHERE grouped_by = 3
            UNION ALL
            SELECT 1, NULL, NULL, s.start AT TIME ZONE 'UTC', NULL, coalesce(c.n, 0)
            FROM generate_series(date_trunc('{unit}', $1 AT TIME ZONE 'UTC'), ($2 AT TIME ZONE 'UTC') - interval '1 microsecond', $3) AS s(start)
            LEFT JOIN (SELECT start, n FROM g WHERE grouped_by = 13) c ON c.start = s.start
            UNION ALL
            SELECT 2, NULL, NULL, NULL, t.source, t.n
            FROM (SELECT source, n FROM g WHERE grouped_by = 14 ORDER BY n DESC, source LIMIT $4) t
            ORDER BY part, start, n DESC, source
            """,
            window,
            new NpgsqlParameter<TimeSpan> { TypedValue = step },
            new NpgsqlParameter<int> { TypedValue = window.TopSources });

        // The first time each alert reached ACKNOWLEDGED, and a closed status, after its creation (a reopened alert
        // counts its first close). percentile_cont skips the nulls of alerts that never got there. A change comes after
        // its alert's creation, so only history changed since `from` can match: the hash join builds on less.
        Add(batch, $"""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ack), percentile_cont(0.9) WITHIN GROUP (ORDER BY t.ack),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY t.res), percentile_cont(0.9) WITHIN GROUP (ORDER BY t.res)
            FROM (
                SELECT extract(epoch FROM min(h.changed_at) FILTER (WHERE h.to_status = $3) - a.created_at)::float8 AS ack,
                       extract(epoch FROM min(h.changed_at) FILTER (WHERE h.to_status = ANY ($4)) - a.created_at)::float8 AS res
                FROM alerts a JOIN alert_history h ON h.alert_id = a.id
                WHERE {Window} AND h.changed_at >= $1
                GROUP BY a.id
            ) t
            """,
            window,
            new NpgsqlParameter<short> { TypedValue = (short)AlertStatus.Acknowledged },
            new NpgsqlParameter<short[]> { TypedValue = [(short)AlertStatus.Resolved, (short)AlertStatus.FalsePositive] });

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var counts = new List<StatusSeverityCount>();
        var overTime = new List<BucketCount>();
        var sources = new List<SourceCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            switch (reader.GetInt32(0))
            {
                case 0:
                    counts.Add(new StatusSeverityCount((AlertStatus)reader.GetInt16(1), (Severity)reader.GetInt16(2), reader.GetInt64(5)));
                    break;
                case 1:
                    overTime.Add(new BucketCount(reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(5)));
                    break;
                default:
                    sources.Add(new SourceCount(reader.GetString(4), reader.GetInt64(5)));
                    break;
            }
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
