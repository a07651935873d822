using FluentValidation;
using Mediator;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Events.IngestBatch;

/// <summary>
/// POST /api/events/batch/: the items in the order they arrived. An item is either an event to validate, or a line or
/// element that could not even be read as one (<see cref="BatchItem.Unreadable"/>).
/// </summary>
public sealed record IngestEventBatchCommand(IReadOnlyList<BatchItem> Items) : ICommand<BatchIngestResult>
{
    public const int MaxItems = 10_000;
    public const long MaxBodyBytes = 10L * 1024 * 1024;
}

/// <summary>One item of a batch: the event as sent, or the reason it could not be read (keyed by field, like validation).</summary>
public sealed record BatchItem(EventInput? Input, IReadOnlyDictionary<string, string[]>? Unreadable = null)
{
    public static BatchItem Of(EventInput input) => new(input);

    public static BatchItem Malformed(string field, string message) =>
        new(null, new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });
}

/// <summary>The answer: stored events, repeats of stored (or earlier in-batch) events, refused items, alerts raised.</summary>
public sealed record BatchIngestResult(int Accepted, int Duplicates, IReadOnlyList<RejectedItem> Rejected, int AlertsCreated);

/// <summary>
/// An item that was not stored: its 0-based position in the batch and why, by snake_case field; <see cref="Reason"/>
/// is <c>idempotency_conflict</c> for a reused (source, external_id) with other content, else null.
/// </summary>
public sealed record RejectedItem(int Index, IReadOnlyDictionary<string, string[]> Errors, string? Reason = null)
{
    public const string IdempotencyConflict = "idempotency_conflict";

    public static RejectedItem Conflict(int index, Domain.Events.IdempotencyConflict conflict) => new(
        index,
        new Dictionary<string, string[]>(StringComparer.Ordinal) { ["external_id"] = [conflict.Message] },
        IdempotencyConflict);
}

/// <summary>
/// Validates every item with the single-event rules, drops repeats of a (source, external_id) inside the batch (the
/// first one wins) and hands the rest to <see cref="IEventBatchWriter"/>, which stores events and alerts in one
/// transaction. An invalid item never affects the others.
/// <para>
/// Why this handler does not publish EventIngested per event: the single-event path dispatches each event's
/// EventIngested to <see cref="RaiseAlertOnSevereEvent"/>, which adds one alert through the change tracker — a round
/// trip and a tracked entity per event, which is what batch ingest exists to avoid. The detection rule itself is not
/// copied: both paths ask the Domain's <see cref="SeverityRules"/> (<c>RaisesAlert</c> there, its set form
/// <see cref="SeverityRules.AlertingSeverities"/> here), so a change to the rule changes both. The events are still
/// built by <see cref="SecurityEvent.Ingest"/>, so trimming and defaults are those of single ingest; the EventIngested
/// they raise is deliberately left undispatched because the writer applies its one consequence set-wise.
/// </para>
/// <para>
/// Source ownership: an item whose source a sensor owns, sent without that sensor's key (or a key's item of a source its
/// sensor does not own), is one rejected entry naming <c>source</c>; the others are stored.
/// </para>
/// </summary>
public sealed class IngestEventBatchCommandHandler(
    IEventBatchWriter writer,
    IValidator<EventInput> validator,
    ICurrentUser currentUser,
    ISourceOwnership ownership,
    IIngestRateLimiter rateLimiter,
    IAlertMetrics alertMetrics,
    TimeProvider clock,
    SlaPolicy sla,
    IDetectionRuleSet ruleSet)
    : ICommandHandler<IngestEventBatchCommand, BatchIngestResult>
{
    /// <summary>
    /// Items prepared (read, validated, mapped, matched against the rules) per chunk while the database stores the chunk
    /// before: small enough that the first chunk's wait and the last chunk's write, which nothing overlaps, stay short;
    /// large enough that the statements per chunk cost little next to their rows.
    /// </summary>
    public const int ChunkItems = 250;

    public async ValueTask<BatchIngestResult> Handle(IngestEventBatchCommand command, CancellationToken cancellationToken)
    {
        // A key or a user pays one permit per item, after the body is read and before anything is stored.
        if (IngestPrincipal.Of(currentUser) is { } principal)
        {
            rateLimiter.Acquire(principal, command.Items.Count);
        }

        var receivedAt = clock.GetUtcNow();
        var batch = new Preparation(command.Items, validator, currentUser, receivedAt);

        // One query for the owners of every source the batch names, before the first chunk is prepared (validation only
        // decides which of them matter); the rules as they are now, for the whole batch.
        var sources = batch.Sources();
        var owners = sources.Count == 0
            ? new Dictionary<string, long>()
            : await ownership.OwnersOfAsync(sources, cancellationToken);
        var rules = await ruleSet.CurrentAsync(cancellationToken);

        // A writer that can take the batch chunk by chunk asks for the next chunk while it stores the previous one:
        // preparation overlaps the database work, and every chunk goes into one transaction, committed before it returns.
        var chunks = batch.Chunks(owners, rules);
        var written = writer is IEventBatchPipeline pipeline
            ? await pipeline.WriteAsync(chunks, SeverityRules.AlertingSeverities, sla, receivedAt, cancellationToken)
            : await WriteWholeAsync(chunks, receivedAt, cancellationToken);

        alertMetrics.Raised(written.AlertsCreated);
        alertMetrics.Grouped(written.EventsFolded);
        var refused = batch.ToStore.Where(e => e.ExternalId is { } id && !written.StoredKeys.Contains((e.Source, id))).ToList();
        var conflicts = await ConflictsAsync(refused, cancellationToken);
        batch.Rejected.AddRange(conflicts.Select(c => RejectedItem.Conflict(batch.IndexOf[c.Event], c.Conflict)));

        // Items are rejected in several passes (reading, ownership, in-batch and stored conflicts): answer in batch order.
        return new BatchIngestResult(
            written.Stored,
            batch.DuplicatesInBatch + (refused.Count - conflicts.Count),
            [.. batch.Rejected.OrderBy(r => r.Index)],
            written.AlertsCreated);
    }

    /// <summary>Every chunk prepared first, then written as one list (a writer without <see cref="IEventBatchPipeline"/>).</summary>
    private async Task<EventBatchWriteResult> WriteWholeAsync(IEnumerable<EventChunk> chunks, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var events = new List<SecurityEvent>();
        var matches = new List<(int, Domain.Rules.RuleMatch)>();
        var correlations = new List<(int, CorrelationObservation)>();
        foreach (var chunk in chunks)
        {
            var offset = events.Count;
            events.AddRange(chunk.Events);
            matches.AddRange(chunk.RuleHits.Matches.Select(m => (m.EventIndex + offset, m.Rule)));
            correlations.AddRange(chunk.RuleHits.Correlations.Select(c => (c.EventIndex + offset, c.Observation)));
        }

        return events.Count == 0
            ? new EventBatchWriteResult(0, 0, new HashSet<(string, string)>(), 0)
            : await writer.WriteAsync(events, SeverityRules.AlertingSeverities, sla, receivedAt, new RuleHits(matches, correlations), cancellationToken);
    }

    /// <summary>The refused events (each met a stored twin) whose twin says something else: conflicts, not retries.</summary>
    private async Task<List<(SecurityEvent Event, IdempotencyConflict Conflict)>> ConflictsAsync(
        IReadOnlyList<SecurityEvent> refused,
        CancellationToken cancellationToken)
    {
        if (refused.Count == 0)
        {
            return [];
        }

        var twins = (await writer.FindStoredAsync([.. refused.Select(e => (e.Source, e.ExternalId!))], cancellationToken))
            .ToDictionary(e => (e.Source, e.ExternalId!));
        return [.. refused
            .Where(e => twins.TryGetValue((e.Source, e.ExternalId!), out var twin) && !twin.IsRepeatedBy(e))
            .Select(e => (e, new IdempotencyConflict(e.Source, e.ExternalId!)))];
    }

}

/// <summary>
/// The items of one batch turned into events to store, chunk by chunk: each item validated with the single-event rules,
/// its source's ownership checked, repeats of a (source, external_id) inside the batch dropped (the first one wins,
/// across chunks too), then the detection rules run on the chunk in memory. What it refused and what it kept stay here
/// for the answer.
/// </summary>
internal sealed class Preparation(
    IReadOnlyList<BatchItem> items,
    IValidator<EventInput> validator,
    ICurrentUser currentUser,
    DateTimeOffset receivedAt)
{
    private readonly Dictionary<(string Source, string ExternalId), SecurityEvent> _seen = [];

    public List<RejectedItem> Rejected { get; } = [];

    public List<SecurityEvent> ToStore { get; } = new(items.Count);

    public Dictionary<SecurityEvent, int> IndexOf { get; } = new(ReferenceEqualityComparer.Instance);

    public int DuplicatesInBatch { get; private set; }

    /// <summary>The sources the readable items name (their owners are looked up once for the batch).</summary>
    public HashSet<string> Sources()
    {
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Input is { } input)
            {
                sources.Add(input.Source);
            }
        }

        return sources;
    }

    /// <summary>
    /// The events to store, <see cref="IngestEventBatchCommandHandler.ChunkItems"/> items at a time, prepared as they are
    /// asked for. With correlation rules active the batch is one chunk: the correlation store replays each call's
    /// observations in time order, and one call for the batch keeps its counting exactly as it was.
    /// </summary>
    public IEnumerable<EventChunk> Chunks(IReadOnlyDictionary<string, long> owners, ActiveRules rules)
    {
        var size = rules.Correlations.Count > 0 ? Math.Max(1, items.Count) : IngestEventBatchCommandHandler.ChunkItems;
        for (var start = 0; start < items.Count; start += size)
        {
            var events = new List<SecurityEvent>(Math.Min(size, items.Count - start));
            for (var index = start; index < Math.Min(items.Count, start + size); index++)
            {
                if (Prepare(index, owners) is { } securityEvent)
                {
                    IndexOf[securityEvent] = index;
                    ToStore.Add(securityEvent);
                    events.Add(securityEvent);
                }
            }

            // Detection rules run in memory here; the writer stores what they raised set-wise with the events.
            yield return new EventChunk(events, events.Count == 0 ? RuleHits.None : RuleHits.Evaluate(rules, events));
        }
    }

    /// <summary>The event item <paramref name="index"/> stores, or null when it is rejected or repeats an earlier one.</summary>
    private SecurityEvent? Prepare(int index, IReadOnlyDictionary<string, long> owners)
    {
        var item = items[index];
        if (item.Input is not { } input)
        {
            Rejected.Add(new RejectedItem(index, item.Unreadable ?? NotAnEvent()));
            return null;
        }

        var validation = validator.Validate(input);
        if (!validation.IsValid)
        {
            Rejected.Add(new RejectedItem(index, RequestValidationException.ByField(validation.Errors)));
            return null;
        }

        var owner = owners.TryGetValue(input.Source, out var o) ? o : (long?)null;
        if (SourceOwnership.Refusal(owner, currentUser.SensorId) is { } refusal)
        {
            Rejected.Add(new RejectedItem(index, new Dictionary<string, string[]>(StringComparer.Ordinal) { ["source"] = [refusal] }));
            return null;
        }

        var securityEvent = input.ToDomain(currentUser, receivedAt);
        if (securityEvent.ExternalId is { } externalId)
        {
            if (_seen.TryGetValue((securityEvent.Source, externalId), out var first))
            {
                if (first.IsRepeatedBy(securityEvent))
                {
                    DuplicatesInBatch++;
                }
                else
                {
                    Rejected.Add(RejectedItem.Conflict(index, new IdempotencyConflict(securityEvent.Source, externalId)));
                }

                return null;
            }

            _seen[(securityEvent.Source, externalId)] = securityEvent;
        }

        return securityEvent;
    }

    private static Dictionary<string, string[]> NotAnEvent() =>
        new(StringComparer.Ordinal) { ["body"] = ["The item is not an event object."] };
}

/// <summary>A batch must hold at least one item; the item and size limits are enforced while the body is read (413).</summary>
public sealed class IngestEventBatchCommandValidator : AbstractValidator<IngestEventBatchCommand>
{
    public IngestEventBatchCommandValidator() => RuleFor(c => c.Items)
        .NotEmpty()
        .OverridePropertyName("body")
        .WithMessage("The batch is empty: send at least one event.");
}
