using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Rules.Sigma;

namespace ThreatPlatform.Infrastructure.Persistence.Rules;

/// <summary>
/// Correlation state in PostgreSQL (table rule_correlation_entries), so every replica and a restart see the same counts.
/// Per call, whatever the number of events: lock the touched (rule, group) pairs (transaction-scoped advisory locks, in
/// one order, so concurrent ingests of one group take turns), load their windows, replay the new events through
/// <see cref="CorrelationMemory"/> (the semantics the dry run uses), then store new entries (the primary key makes a
/// retried event count once), mark what a firing consumed, and prune entries older than the window. Runs in the
/// caller's transaction: an ingest that rolls back leaves no count behind.
/// </summary>
internal static class CorrelationStore
{
    private const string LockSql = """
        SELECT pg_advisory_xact_lock(k) FROM (
            SELECT DISTINCT hashtextextended('rule_correlation:' || r::text || ':' || g, 0) AS k
            FROM unnest(@rules, @groups) AS u(r, g)
        ) keys ORDER BY k
        """;

    private const string LoadSql = """
        SELECT e.rule_id, e.event_key, e.reference, e.group_key, e.value, e.at, e.consumed
        FROM unnest(@rules, @groups, @from) AS u(rule_id, group_key, from_at)
        JOIN rule_correlation_entries e ON e.rule_id = u.rule_id AND e.group_key = u.group_key AND e.at >= u.from_at
        """;

    private const string InsertSql = """
        INSERT INTO rule_correlation_entries (rule_id, event_key, reference, group_key, value, at, consumed)
        SELECT * FROM unnest(@rules, @keys, @references, @groups, @values, @ats, @consumed)
        ON CONFLICT DO NOTHING
        """;

    private const string ConsumeSql = """
        UPDATE rule_correlation_entries e SET consumed = true
        FROM unnest(@rules, @keys, @references) AS u(rule_id, event_key, reference)
        WHERE e.rule_id = u.rule_id AND e.event_key = u.event_key AND e.reference = u.reference AND NOT e.consumed
        """;

    private const string PruneSql = """
        DELETE FROM rule_correlation_entries e
        USING unnest(@rules, @groups, @before) AS u(rule_id, group_key, before_at)
        WHERE e.rule_id = u.rule_id AND e.group_key = u.group_key AND e.at < u.before_at
        """;

    public static async Task<IReadOnlyList<int>> ObserveAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        IReadOnlyList<CorrelationObservation> observations,
        CancellationToken cancellationToken)
    {
        if (observations.Count == 0)
        {
            return [];
        }

        var groups = observations
            .GroupBy(o => (o.Rule.Id, o.GroupKey))
            .Select(g => (g.Key.Id, g.Key.GroupKey, Span: g.First().Correlation.Timespan,
                First: g.Min(o => o.View.OccurredAt), Last: g.Max(o => o.View.OccurredAt)))
            .ToList();
        var ruleIds = groups.Select(g => g.Id).ToArray();
        var groupKeys = groups.Select(g => g.GroupKey).ToArray();

        await using (var lockCommand = new NpgsqlCommand(LockSql, connection, transaction))
        {
            lockCommand.Parameters.Add(Array("rules", ruleIds, NpgsqlDbType.Bigint));
            lockCommand.Parameters.Add(Array("groups", groupKeys, NpgsqlDbType.Text));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var memories = observations.Select(o => o.Rule.Id).Distinct().ToDictionary(id => id, _ => new CorrelationMemory());
        await using (var load = new NpgsqlCommand(LoadSql, connection, transaction))
        {
            load.Parameters.Add(Array("rules", ruleIds, NpgsqlDbType.Bigint));
            load.Parameters.Add(Array("groups", groupKeys, NpgsqlDbType.Text));
            load.Parameters.Add(Array("from", groups.Select(g => (g.First - g.Span).ToUniversalTime()).ToArray(), NpgsqlDbType.TimestampTz));
            await using var reader = await load.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                memories[reader.GetInt64(0)].Load(
                    reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6));
            }
        }

        var fired = new List<int>();
        for (var i = 0; i < observations.Count; i++)
        {
            var o = observations[i];
            if (memories[o.Rule.Id].Observe(o.Correlation, o.View, o.EventKey, o.Matched))
            {
                fired.Add(i);
            }
        }

        var added = memories.SelectMany(m => m.Value.Entries.Where(e => e.IsNew).Select(e => (Rule: m.Key, Entry: e))).ToList();
        var consumed = memories.SelectMany(m => m.Value.Entries.Where(e => e.Consumed && !e.IsNew).Select(e => (Rule: m.Key, Entry: e))).ToList();
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (added.Count > 0)
        {
            var insert = new NpgsqlBatchCommand(InsertSql);
            insert.Parameters.Add(Array("rules", added.Select(a => a.Rule).ToArray(), NpgsqlDbType.Bigint));
            insert.Parameters.Add(Array("keys", added.Select(a => a.Entry.EventKey).ToArray(), NpgsqlDbType.Text));
            insert.Parameters.Add(Array("references", added.Select(a => a.Entry.Reference).ToArray(), NpgsqlDbType.Text));
            insert.Parameters.Add(Array("groups", added.Select(a => a.Entry.Group).ToArray(), NpgsqlDbType.Text));
            insert.Parameters.Add(Array("values", added.Select(a => a.Entry.Value).ToArray(), NpgsqlDbType.Text));
            insert.Parameters.Add(Array("ats", added.Select(a => a.Entry.At.ToUniversalTime()).ToArray(), NpgsqlDbType.TimestampTz));
            insert.Parameters.Add(Array("consumed", added.Select(a => a.Entry.Consumed).ToArray(), NpgsqlDbType.Boolean));
            batch.BatchCommands.Add(insert);
        }

        if (consumed.Count > 0)
        {
            var consume = new NpgsqlBatchCommand(ConsumeSql);
            consume.Parameters.Add(Array("rules", consumed.Select(a => a.Rule).ToArray(), NpgsqlDbType.Bigint));
            consume.Parameters.Add(Array("keys", consumed.Select(a => a.Entry.EventKey).ToArray(), NpgsqlDbType.Text));
            consume.Parameters.Add(Array("references", consumed.Select(a => a.Entry.Reference).ToArray(), NpgsqlDbType.Text));
            batch.BatchCommands.Add(consume);
        }

        var prune = new NpgsqlBatchCommand(PruneSql);
        prune.Parameters.Add(Array("rules", ruleIds, NpgsqlDbType.Bigint));
        prune.Parameters.Add(Array("groups", groupKeys, NpgsqlDbType.Text));
        prune.Parameters.Add(Array("before", groups.Select(g => (g.Last - g.Span).ToUniversalTime()).ToArray(), NpgsqlDbType.TimestampTz));
        batch.BatchCommands.Add(prune);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return fired;
    }

    private static NpgsqlParameter Array<T>(string name, T[] values, NpgsqlDbType type) =>
        new NpgsqlParameter<T[]>(name, NpgsqlDbType.Array | type) { TypedValue = values };
}
