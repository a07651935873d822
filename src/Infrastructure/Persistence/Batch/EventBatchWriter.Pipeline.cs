using Npgsql;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Infrastructure.Persistence.Batch;

/// <summary>
/// <see cref="IEventBatchPipeline"/>: the same statements as <see cref="EventBatchWriter.WriteAsync"/>, once per chunk in
/// one transaction. A chunk's database work (COPY into the staging table, <see cref="MoveAndRaise"/>, its rule alerts)
/// is started, and only then is the next chunk asked for, so the caller prepares it while PostgreSQL works. The staging
/// table holds one chunk at a time (emptied before the next); what an earlier chunk stored, keys and alerts, is
/// visible to the later ones' statements in the same transaction, so a later chunk's repeat of a stored key, or its
/// event whose fingerprint an earlier chunk opened an alert for, is treated as in one statement.
/// </summary>
internal sealed partial class EventBatchWriter
{
    // A table created in this transaction is emptied in place (no new file), so this costs one round trip.
    private const string EmptyStaging = "TRUNCATE event_batch_staging";

    private static readonly EventBatchWriteResult Nothing = new(0, 0, new HashSet<(string, string)>(), 0);

    public async Task<EventBatchWriteResult> WriteAsync(
        IEnumerable<EventChunk> chunks,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        using var source = chunks.GetEnumerator();
        var taken = new List<EventChunk>();
        if (Next(source, taken) is not { } first)
        {
            return Nothing;
        }

        await using var connection = await budget.OpenAsync(dataSource, cancellationToken);
        var write = new ChunkWrite(connection, alertingSeverities, sla, at);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The first attempt overlaps with the caller's preparation; a retry replays the chunks it kept.
                return attempt == 1
                    ? await write.OverlappedAsync(first, () => Next(source, taken), cancellationToken)
                    : await write.ReplayAsync(taken, cancellationToken);
            }
            catch (PostgresException e) when (LostRace(e))
            {
                // Rolled back; the next attempt needs every chunk, also the ones not asked for yet.
                while (Next(source, taken) is not null)
                {
                }

                if (attempt >= MaxAttempts)
                {
                    throw new Conflict("Other writers kept storing this batch's events or alerts at the same moment; nothing was stored, send the batch again.");
                }
            }
        }
    }

    /// <summary>The next chunk that holds an event (kept in <paramref name="taken"/> for a retry), or null after the last.</summary>
    private static EventChunk? Next(IEnumerator<EventChunk> source, List<EventChunk> taken)
    {
        while (source.MoveNext())
        {
            if (source.Current.Events.Count > 0)
            {
                taken.Add(source.Current);
                return source.Current;
            }
        }

        return null;
    }

    private static EventBatchWriteResult Add(EventBatchWriteResult total, EventBatchWriteResult chunk) => new(
        total.Stored + chunk.Stored,
        total.AlertsCreated + chunk.AlertsCreated,
        total.StoredKeys.Count == 0 ? chunk.StoredKeys : total.StoredKeys.Union(chunk.StoredKeys).ToHashSet(),
        total.EventsFolded + chunk.EventsFolded);

    /// <summary>One attempt's transaction: the chunks written one after the other, committed after the last.</summary>
    private sealed class ChunkWrite(
        NpgsqlConnection connection,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at)
    {
        /// <summary>Writes <paramref name="first"/>, asks <paramref name="next"/> for the following chunk while it is written, and so on.</summary>
        public async Task<EventBatchWriteResult> OverlappedAsync(EventChunk first, Func<EventChunk?> next, CancellationToken cancellationToken)
        {
            await using var transaction = await BeginAsync(cancellationToken);
            var total = Nothing;
            var chunk = first;
            for (var index = 0; chunk is not null; index++)
            {
                var writing = WriteChunkAsync(transaction, chunk, empty: index > 0, cancellationToken);
                EventChunk? following;
                try
                {
                    following = next();
                }
                catch
                {
                    // The connection is busy until the chunk's statements end: wait for them before rolling back.
                    await Task.WhenAny(writing);
                    throw;
                }

                total = Add(total, await writing);
                chunk = following;
            }

            // Committed before the caller answers 200: an acknowledged event and its alert are durable.
            await transaction.CommitAsync(cancellationToken);
            return total;
        }

        /// <summary>Writes every chunk again, in a new transaction (after a lost race).</summary>
        public async Task<EventBatchWriteResult> ReplayAsync(IReadOnlyList<EventChunk> chunks, CancellationToken cancellationToken)
        {
            await using var transaction = await BeginAsync(cancellationToken);
            var total = Nothing;
            for (var index = 0; index < chunks.Count; index++)
            {
                total = Add(total, await WriteChunkAsync(transaction, chunks[index], empty: index > 0, cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            return total;
        }

        private async Task<NpgsqlTransaction> BeginAsync(CancellationToken cancellationToken)
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                await using var create = new NpgsqlCommand(CreateStaging, connection, transaction);
                await create.ExecuteNonQueryAsync(cancellationToken);
                return transaction;
            }
            catch
            {
                await transaction.DisposeAsync();
                throw;
            }
        }

        /// <summary>One chunk: into the (emptied) staging table, then its events, alerts and rule alerts.</summary>
        private async Task<EventBatchWriteResult> WriteChunkAsync(
            NpgsqlTransaction transaction,
            EventChunk chunk,
            bool empty,
            CancellationToken cancellationToken)
        {
            if (empty)
            {
                await using var truncate = new NpgsqlCommand(EmptyStaging, connection, transaction);
                await truncate.ExecuteNonQueryAsync(cancellationToken);
            }

            await CopyAsync(connection, chunk.Events, cancellationToken);
            var result = await MoveAsync(connection, transaction, alertingSeverities, sla, at, cancellationToken);
            if (!chunk.RuleHits.IsEmpty)
            {
                var raised = await RaiseRuleAlertsAsync(connection, transaction, chunk.RuleHits, sla, at, cancellationToken);
                result = result with { AlertsCreated = result.AlertsCreated + raised.Raised, EventsFolded = result.EventsFolded + raised.Folded };
            }

            return result;
        }
    }
}
