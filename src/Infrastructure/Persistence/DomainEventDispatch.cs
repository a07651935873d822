using Microsoft.EntityFrameworkCore.Diagnostics;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>
/// At the start of each SaveChanges of an <see cref="ApplicationDbContext"/>, before EF Core detects the changes and
/// begins its transaction: publishes the domain events the tracked entities raised, through the publisher the request
/// leased the context with, so whatever the handlers add or change (a severe event's alert raised or folded, the
/// detection rules' alerts) is written by the same save in the same transaction; handlers may raise more events, so it
/// publishes until none is left. Then the audit collects this save's entries, the status changes the handlers made
/// included, and opens the transaction they commit in (<see cref="ApplicationDbContext.PrepareAuditAsync"/>).
/// Registered ahead of the other save interceptors, so that they see what the handlers added.
/// </summary>
internal sealed class DomainEventDispatch : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ApplicationDbContext db)
        {
            await DispatchAsync(db, cancellationToken);
            await db.PrepareAuditAsync(cancellationToken);
        }

        return result;
    }

    private static async Task DispatchAsync(ApplicationDbContext db, CancellationToken cancellationToken)
    {
        while (true)
        {
            var raised = db.ChangeTracker.Entries<Entity>()
                .Select(e => e.Entity)
                .Where(e => e.DomainEvents.Count > 0)
                .ToList();
            if (raised.Count == 0)
            {
                return;
            }

            var domainEvents = raised.SelectMany(e => e.DomainEvents).ToList();
            raised.ForEach(e => e.ClearDomainEvents());
            foreach (var domainEvent in domainEvents)
            {
                await db.Publisher.Publish(DomainEventNotifications.From(domainEvent), cancellationToken);
            }
        }
    }
}
