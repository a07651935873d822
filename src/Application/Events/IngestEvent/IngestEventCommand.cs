using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Events.IngestEvent;

/// <summary>A sensor reports one event (POST /api/events/). The body is the event itself.</summary>
public sealed record IngestEventCommand : EventInput, ICommand<IngestedEvent>
{
    public IngestEventCommand(EventInput input)
        : base(input)
    {
    }
}

/// <summary>The stored event, and whether this call stored it (201) or found it stored already (200).</summary>
public sealed record IngestedEvent(EventDto Event, bool Created);

/// <summary>
/// Stores the event. A request that finds no group forming (one connection, a quiet moment) writes it on its own: the
/// entity raises EventIngested and the persistence layer dispatches it before the one SaveChanges, so a severe event's
/// alert and its detection rules' alerts are written in the same transaction. Concurrent requests go through the group
/// writer (<see cref="IEventGroupWriter"/>): they share one transaction, written by the batch writer under the same rules,
/// and each request is answered only after that transaction committed. A repeat of a sensor's (source, external_id) with
/// the same content answers the stored event instead of storing it twice; with other content it is an
/// <see cref="IdempotencyConflict"/> (409) and the stored event stays as it is. The caller (API key or user) first takes
/// a permit from its rate limit; a source a sensor owns is written only with that sensor's keys (403 naming source
/// otherwise). Detection rules are evaluated here, in memory, on the request's own thread.
/// </summary>
public sealed class IngestEventCommandHandler(
    IApplicationDbContext db,
    ICurrentUser currentUser,
    ISourceOwnership ownership,
    IIngestRateLimiter rateLimiter,
    IAlertMetrics alertMetrics,
    IEventGroupWriter writer,
    IDetectionRuleSet ruleSet,
    TimeProvider clock)
    : ICommandHandler<IngestEventCommand, IngestedEvent>
{
    public async ValueTask<IngestedEvent> Handle(IngestEventCommand command, CancellationToken cancellationToken)
    {
        if (IngestPrincipal.Of(currentUser) is { } principal)
        {
            rateLimiter.Acquire(principal, 1);
        }

        SourceOwnership.EnsureMayWrite(await ownership.OwnerOfAsync(command.Source, cancellationToken), currentUser.SensorId);
        if (writer.TryWriteAlone() is { } alone)
        {
            using (alone)
            {
                return await WriteOnItsOwnAsync(command);
            }
        }

        var securityEvent = command.ToDomain(currentUser, clock.GetUtcNow());
        var ruleHits = RuleHits.Evaluate(await ruleSet.CurrentAsync(cancellationToken), [securityEvent]);
        if (await writer.WriteAsync(securityEvent, ruleHits, cancellationToken) is not { } written)
        {
            return await RepeatOfStoredAsync(securityEvent, cancellationToken);
        }

        // Committed: count what the event did to alerts.
        if (written.Folded)
        {
            alertMetrics.Grouped(1);
        }

        alertMetrics.Raised(written.AlertsRaised);
        return new IngestedEvent(securityEvent.ToDto(written.AlertId) with { Id = written.Id }, Created: true);
    }

    // A refusal by the collecting-fingerprint index means another event raised the alert this one was raising, at the
    // same moment: the next attempt folds into it. Attempts are bounded (that alert could be closed just as quickly).
    private const int MaxAttempts = 3;

    /// <summary>
    /// One event in its own transaction, through the domain: EventIngested's handlers raise or fold its alert and run the
    /// detection rules. Saved on no request's cancellation token, as a group is: an aborted request cannot leave its
    /// connection idle in a transaction.
    /// </summary>
    private async Task<IngestedEvent> WriteOnItsOwnAsync(IngestEventCommand command)
    {
        for (var attempt = 1; ; attempt++)
        {
            var securityEvent = command.ToDomain(currentUser, clock.GetUtcNow());
            db.Events.Add(securityEvent);
            var result = await db.TrySaveChangesAsync(CancellationToken.None);
            if (result == SaveResult.Saved)
            {
                // Committed: count what the event did to alerts (a refused attempt rolled back and counts nothing).
                if (securityEvent.FoldedIntoAlertId is not null)
                {
                    alertMetrics.Grouped(1);
                }
                else if (securityEvent.Alert is not null)
                {
                    alertMetrics.Raised(1);
                }

                return new IngestedEvent(securityEvent.ToDto(securityEvent.FirstAlertId), Created: true);
            }

            if (result == SaveResult.CollectingFingerprintTaken && attempt < MaxAttempts)
            {
                continue;
            }

            return result switch
            {
                SaveResult.CollectingFingerprintTaken => throw new Conflict(
                    "Events with this fingerprint kept arriving while its alert changed; nothing was stored, send the event again."),
                SaveResult.DuplicateExternalId => await RepeatOfStoredAsync(securityEvent, CancellationToken.None),
                _ => throw new InvalidOperationException($"A unique index refused an event ({result})."),
            };
        }
    }

    // A repeat (a sensor's retry, or the same event arriving at once from two connections): a stored event with its
    // (source, external_id) kept it out. Insert first and look up only on a refusal: a new event, the usual case, costs
    // no extra round trip. Newest first: while retention deletes an expiring month's keys, a key may be stored anew
    // before the old copy's partition is dropped.
    private async Task<IngestedEvent> RepeatOfStoredAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        var externalId = securityEvent.ExternalId
            ?? throw new InvalidOperationException("An event without an external id was kept out as a repeat.");
        var stored = await db.Events.AsNoTracking()
            .Where(e => e.Source == securityEvent.Source && e.ExternalId == externalId)
            .OrderByDescending(e => e.Timestamp)
            .WithAlertId(db.Alerts)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException("An event was kept out as a repeat of none stored.");
        return stored.Event.IsRepeatedBy(securityEvent)
            ? new IngestedEvent(stored.ToDto(), Created: false)
            : throw new IdempotencyConflict(securityEvent.Source, externalId);
    }
}

public sealed class IngestEventCommandValidator : AbstractValidator<IngestEventCommand>
{
    public IngestEventCommandValidator(TimeProvider clock) => Include(new EventInputValidator(clock));
}
