using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Events.IngestBatch;

/// <summary>
/// The set-based write path of batch ingest. One round trip per batch, not per event: at thousands of events a second
/// the EF Core change tracker and a row-at-a-time INSERT would be the bottleneck, so Infrastructure uses COPY.
/// </summary>
public interface IEventBatchWriter
{
    /// <summary>
    /// Stores every event whose (source, external_id) is not stored yet and, for each event it stored whose severity is
    /// one of <paramref name="alertingSeverities"/>, one OPEN alert created at <paramref name="at"/> with the due times
    /// <paramref name="sla"/> gives its severity — all in one transaction, committed before it returns. The events carry no in-batch duplicates (the caller removed them).
    /// </summary>
    Task<EventBatchWriteResult> WriteAsync(
        IReadOnlyList<SecurityEvent> events,
        IReadOnlyCollection<Severity> alertingSeverities,
        SlaPolicy sla,
        DateTimeOffset at,
        CancellationToken cancellationToken);

    /// <summary>The stored events with these (source, external_id) keys (the twins of events the writer refused).</summary>
    Task<IReadOnlyList<SecurityEvent>> FindStoredAsync(
        IReadOnlyCollection<(string Source, string ExternalId)> keys,
        CancellationToken cancellationToken);
}

/// <summary>
/// How many of the events were stored (the others were already stored), how many alerts they raised, the
/// (source, external_id) of each stored event that has one (a keyed event not among them met a stored twin), and how
/// many stored events folded into an alert (an open one, or one an earlier event of the batch raised) instead of raising one.
/// </summary>
public sealed record EventBatchWriteResult(
    int Stored,
    int AlertsCreated,
    IReadOnlySet<(string Source, string ExternalId)> StoredKeys,
    int EventsFolded);
