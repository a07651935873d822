using FluentValidation;
using Mediator;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;
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

    public static RejectedItem Conflict(int index, Domain.SecurityEvents.IdempotencyConflict conflict) => new(
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
    Rules.Common.IDetectionRuleSet ruleSet)
    : ICommandHandler<IngestEventBatchCommand, BatchIngestResult>
{
    public async ValueTask<BatchIngestResult> Handle(IngestEventBatchCommand command, CancellationToken cancellationToken)
    {
        // A key or a user pays one permit per item, after the body is read and before anything is stored.
        if (IngestPrincipal.Of(currentUser) is { } principal)
        {
            rateLimiter.Acquire(principal, command.Items.Count);
        }

        var receivedAt = clock.GetUtcNow();
        var rejected = new List<RejectedItem>();
        var valid = new List<(int Index, EventInput Input)>(command.Items.Count);
        for (var index = 0; index < command.Items.Count; index++)
        {
            var item = command.Items[index];
            if (item.Input is null)
            {
                rejected.Add(new RejectedItem(index, item.Unreadable ?? NotAnEvent()));
                continue;
            }

            var validation = validator.Validate(item.Input);
            if (!validation.IsValid)
            {
                rejected.Add(new RejectedItem(index, RequestValidationException.ByField(validation.Errors)));
                continue;
            }

            valid.Add((index, item.Input));
        }

        // One query for the owners of every source in the batch; an item the caller may not write is one rejected entry.
        var owners = valid.Count == 0
            ? new Dictionary<string, long>()
            : await ownership.OwnersOfAsync(valid.Select(v => v.Input.Source).ToHashSet(StringComparer.Ordinal), cancellationToken);
        var toStore = new List<SecurityEvent>(valid.Count);
        var indexOf = new Dictionary<SecurityEvent, int>(ReferenceEqualityComparer.Instance);
        var seen = new Dictionary<(string Source, string ExternalId), SecurityEvent>();
        var duplicatesInBatch = 0;
        foreach (var (index, input) in valid)
        {
            var owner = owners.TryGetValue(input.Source, out var o) ? o : (long?)null;
            if (SourceOwnership.Refusal(owner, currentUser.SensorId) is { } refusal)
            {
                rejected.Add(new RejectedItem(index, new Dictionary<string, string[]>(StringComparer.Ordinal) { ["source"] = [refusal] }));
                continue;
            }

            var securityEvent = input.ToDomain(currentUser, receivedAt);
            if (securityEvent.ExternalId is { } externalId)
            {
                if (seen.TryGetValue((securityEvent.Source, externalId), out var first))
                {
                    if (first.IsRepeatedBy(securityEvent))
                    {
                        duplicatesInBatch++;
                    }
                    else
                    {
                        rejected.Add(RejectedItem.Conflict(index, new IdempotencyConflict(securityEvent.Source, externalId)));
                    }

                    continue;
                }

                seen[(securityEvent.Source, externalId)] = securityEvent;
            }

            indexOf[securityEvent] = index;
            toStore.Add(securityEvent);
        }

        if (toStore.Count == 0)
        {
            return new BatchIngestResult(0, duplicatesInBatch, [.. rejected.OrderBy(r => r.Index)], 0);
        }

        // Detection rules run in memory here, on the whole batch; the writer stores what they raised set-wise with the events.
        var ruleHits = RuleHits.Evaluate(await ruleSet.CurrentAsync(cancellationToken), toStore);
        var written = await writer.WriteAsync(toStore, SeverityRules.AlertingSeverities, sla, receivedAt, ruleHits, cancellationToken);

        // The writer committed before it returned.
        alertMetrics.Raised(written.AlertsCreated);
        alertMetrics.Grouped(written.EventsFolded);
        var refused = toStore.Where(e => e.ExternalId is { } id && !written.StoredKeys.Contains((e.Source, id))).ToList();
        var conflicts = await ConflictsAsync(refused, cancellationToken);
        rejected.AddRange(conflicts.Select(c => RejectedItem.Conflict(indexOf[c.Event], c.Conflict)));

        // Items are rejected in several passes (reading, ownership, in-batch and stored conflicts): answer in batch order.
        return new BatchIngestResult(
            written.Stored,
            duplicatesInBatch + (refused.Count - conflicts.Count),
            [.. rejected.OrderBy(r => r.Index)],
            written.AlertsCreated);
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
