using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Events;
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
/// Stores the event; the entity raises EventIngested and the persistence layer dispatches it before the one
/// SaveChanges, so a severe event's alert is written in the same transaction. A repeat of a sensor's
/// (source, external_id) with the same content answers the stored event instead of storing it twice; with other
/// content it is an <see cref="IdempotencyConflict"/> (409) and the stored event stays as it is. The caller (API key or
/// user) first takes a permit from its rate limit; a source a sensor owns is written only with that sensor's keys (403 naming
/// source otherwise).
/// </summary>
public sealed class IngestEventCommandHandler(
    IApplicationDbContext db,
    ICurrentUser currentUser,
    ISourceOwnership ownership,
    IIngestRateLimiter rateLimiter,
    IAlertMetrics alertMetrics,
    TimeProvider clock)
    : ICommandHandler<IngestEventCommand, IngestedEvent>
{
    // A refusal by the collecting-fingerprint index means another event raised the alert this one was raising, at the
    // same moment: the next attempt folds into it. Attempts are bounded (that alert could be closed just as quickly).
    private const int MaxAttempts = 3;

    public async ValueTask<IngestedEvent> Handle(IngestEventCommand command, CancellationToken cancellationToken)
    {
        if (IngestPrincipal.Of(currentUser) is { } principal)
        {
            rateLimiter.Acquire(principal, 1);
        }

        SourceOwnership.EnsureMayWrite(await ownership.OwnerOfAsync(command.Source, cancellationToken), currentUser.SensorId);
        for (var attempt = 1; ; attempt++)
        {
            var securityEvent = command.ToDomain(currentUser, clock.GetUtcNow());
            db.Events.Add(securityEvent);
            var refusedBy = await db.SaveChangesUnlessRefusedAsync(cancellationToken);
            if (refusedBy is null)
            {
                // Committed: count what the event did to alerts (a refused attempt rolled back and counts nothing).
                CountAlerts(securityEvent);
                return new IngestedEvent(securityEvent.ToDto(securityEvent.FirstAlertId), Created: true);
            }

            if (refusedBy == UniqueIndexes.CollectingAlertFingerprint)
            {
                if (attempt < MaxAttempts)
                {
                    continue;
                }

                throw new Conflict("Events with this fingerprint kept arriving while its alert changed; nothing was stored, send the event again.");
            }

            return refusedBy == UniqueIndexes.EventExternalId
                ? await RepeatOfStoredAsync(securityEvent, cancellationToken)
                : throw new InvalidOperationException($"The unique index {refusedBy} refused an event.");
        }
    }

    private void CountAlerts(SecurityEvent securityEvent)
    {
        if (securityEvent.FoldedIntoAlertId is not null)
        {
            alertMetrics.Grouped(1);
        }
        else if (securityEvent.Alert is not null)
        {
            alertMetrics.Raised(1);
        }
    }

    // A repeat (a sensor's retry, or the same event arriving at once from two connections): the global key table
    // (event_keys) refused it and the whole transaction (event and alert) rolled back. Insert first and look up only on
    // a refusal: a new event, the usual case, costs no extra round trip. Newest first: while retention deletes an
    // expiring month's keys, a key may be stored anew before the old copy's partition is dropped.
    private async Task<IngestedEvent> RepeatOfStoredAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
    {
        var externalId = securityEvent.ExternalId
            ?? throw new InvalidOperationException("A unique index refused an event without an external id.");
        var stored = await db.Events.AsNoTracking()
            .Where(e => e.Source == securityEvent.Source && e.ExternalId == externalId)
            .OrderByDescending(e => e.Timestamp)
            .WithAlertId()
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException("A unique index refused an event that has no stored twin.");
        return stored.Event.IsRepeatedBy(securityEvent)
            ? new IngestedEvent(stored.ToDto(), Created: false)
            : throw new IdempotencyConflict(securityEvent.Source, externalId);
    }
}

public sealed class IngestEventCommandValidator : AbstractValidator<IngestEventCommand>
{
    public IngestEventCommandValidator(TimeProvider clock) => Include(new EventInputValidator(clock));
}
