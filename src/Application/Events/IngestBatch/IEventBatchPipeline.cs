using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Events.IngestBatch;

/// <summary>
/// Batch ingest's write path with the batch's preparation overlapped: the events come chunk by chunk, and while the
/// database stores one chunk the caller prepares the next (validation, mapping, detection rules) on the CPU the database
/// is not using. Every chunk is written in the same transaction, committed once after the last: the batch stands or
/// falls as a whole, exactly as <see cref="IEventBatchWriter.WriteAsync"/> writes it.
/// </summary>
public interface IEventBatchPipeline
{
    /// <summary>
    /// <see cref="IEventBatchWriter.WriteAsync"/> for the events of every chunk in order, as if they were one list: an
    /// event of a later chunk folds into an alert an earlier chunk raised, and counts as stored or not the same way.
    /// <paramref name="chunks"/> is enumerated once, lazily: the next chunk is asked for while the previous one is being
    /// written. The chunks carry no in-batch duplicates, across chunks included (the caller removed them); a chunk's
    /// <see cref="EventChunk.RuleHits"/> are indexed within that chunk. Opens no connection when no chunk holds an event.
    /// </summary>
    Task<EventBatchWriteResult> WriteAsync(
        IEnumerable<EventChunk> chunks,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        CancellationToken cancellationToken);
}

/// <summary>Some events of a batch, in batch order, and what the detection rules matched in them (indexed within the chunk).</summary>
public sealed record EventChunk(IReadOnlyList<SecurityEvent> Events, RuleHits RuleHits);
