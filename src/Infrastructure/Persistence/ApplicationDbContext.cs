using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Events;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Persistence;

public sealed class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options, IPublisher? publisher = null)
    : DbContext(options), IApplicationDbContext
{
    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<SecurityEvent> Events => Set<SecurityEvent>();
    public DbSet<Alert> Alerts => Set<Alert>();

    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        await DispatchDomainEventsAsync(cancellationToken);
        return await base.SaveChangesAsync(cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ApplicationDbContext).Assembly);
    }

    /// <summary>
    /// Publishes the events raised by tracked entities before the single SaveChanges, so whatever the handlers add
    /// (an alert for a severe event) is written in the same transaction. Handlers may raise more events; loop until quiet.
    /// </summary>
    private async Task DispatchDomainEventsAsync(CancellationToken cancellationToken)
    {
        if (publisher is null)
        {
            return;
        }

        while (true)
        {
            var raised = ChangeTracker.Entries<Entity>()
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
                await publisher.Publish(DomainEventNotifications.From(domainEvent), cancellationToken);
            }
        }
    }
}
