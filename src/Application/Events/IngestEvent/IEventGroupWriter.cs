using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.IngestEvent;

/// <summary>
/// Group commit for single ingest: concurrent requests' events are written together, in one transaction through
/// <see cref="IEventBatchWriter"/>, instead of one transaction (and one fsync'd commit) each. A request whose event
/// arrives while no group is forming writes it on its own (<see cref="TryWriteAlone"/>).
/// </summary>
public interface IEventGroupWriter
{
    /// <summary>
    /// A writer's turn for one event written on its own, outside any group, when no event is queued and a writer is
    /// free (one connection, a quiet moment): a group of one would only add the batch writer's fixed cost. Events that
    /// arrive meanwhile queue for the next group, which starts when the turn is disposed. Null when a group is forming:
    /// the event then goes through <see cref="WriteAsync"/>.
    /// </summary>
    IDisposable? TryWriteAlone();

    /// <summary>
    /// Stores <paramref name="securityEvent"/> (valid, and its caller allowed to write its source) with the alerts its
    /// severity and <paramref name="ruleHits"/> (its own hits, index 0) raise, under the same rules as batch ingest, and
    /// answers once the transaction that wrote it has committed: the stored id and alert, or null when a stored event
    /// with the same (source, external_id) kept it out. Cancelled while still waiting for its group, nothing is
    /// stored; once its group is being written, the write goes on and the answer comes when it has committed. A failure
    /// of another event in its group is not its failure: the group is then written again one event at a time.
    /// </summary>
    Task<WrittenEvent?> WriteAsync(SecurityEvent securityEvent, RuleHits ruleHits, CancellationToken cancellationToken);
}
