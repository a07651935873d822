using Mediator;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Events;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence.Audit;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <param name="audit">The request's audit log; null in contexts that only migrate or read (they write no entries).</param>
public sealed class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options, IPublisher publisher, AuditChain? audit = null)
    : DbContext(options), IApplicationDbContext
{
    /// <summary>A context that only migrates or reads the schema: saving anything that raised a domain event throws.</summary>
    public static ApplicationDbContext ForMigrations(DbContextOptions<ApplicationDbContext> options) =>
        new(options, new NoDispatch());

    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<SecurityEvent> Events => Set<SecurityEvent>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<Sensor> Sensors => Set<Sensor>();
    public DbSet<SensorSource> SensorSources => Set<SensorSource>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AlertComment> AlertComments => Set<AlertComment>();
    public DbSet<LoginFailure> LoginFailures => Set<LoginFailure>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        await DispatchDomainEventsAsync(cancellationToken);
        var statusChanges = audit?.CollectStatusChanges(this) ?? [];
        if (audit is null || (statusChanges.Count == 0 && !audit.HasPending))
        {
            return await base.SaveChangesAsync(cancellationToken);
        }

        // The audit entries commit with the changes they describe, in the caller's transaction when there is one.
        try
        {
            int saved;
            IReadOnlyList<AuditEntry> written;
            if (Database.CurrentTransaction is null)
            {
                await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
                saved = await base.SaveChangesAsync(cancellationToken);
                written = await audit.AppendAsync(this, statusChanges, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                saved = await base.SaveChangesAsync(cancellationToken);
                written = await audit.AppendAsync(this, statusChanges, cancellationToken);
            }

            audit.Written(written);
            return saved;
        }
        catch
        {
            audit.Failed();
            throw;
        }
    }

    public async Task<bool> TrySaveChangesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The transaction rolled back: forget what it tried to add, so the caller can read what is stored instead.
            foreach (var added in ChangeTracker.Entries().Where(entry => entry.State == EntityState.Added).ToList())
            {
                added.State = EntityState.Detached;
            }

            return false;
        }
    }

    public async Task<IReadOnlySet<Alert>> SaveChangesSkippingConflictsAsync(CancellationToken cancellationToken = default)
    {
        var lost = new HashSet<Alert>(ReferenceEqualityComparer.Instance);
        while (true)
        {
            try
            {
                await SaveChangesAsync(cancellationToken);
                return lost;
            }
            catch (DbUpdateConcurrencyException e)
            {
                // The transaction rolled back; drop the alerts that lost the race (and what they added) and save the rest again.
                var losers = e.Entries.Select(entry => entry.Entity).OfType<Alert>().ToList();
                if (losers.Count == 0)
                {
                    throw;
                }

                foreach (var alert in losers)
                {
                    lost.Add(alert);
                    Forget(alert);
                }
            }
        }
    }

    /// <summary>Stops tracking an alert, the history entries it added and the comments they name.</summary>
    private void Forget(Alert alert)
    {
        foreach (var change in alert.History.ToList())
        {
            var entry = Entry(change);
            if (change.Comment is { } comment)
            {
                Entry(comment).State = EntityState.Detached;
            }

            entry.State = EntityState.Detached;
        }

        Entry(alert).State = EntityState.Detached;
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

    private sealed class NoDispatch : IPublisher
    {
        public ValueTask Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
            where TNotification : INotification => throw Refused();

        public ValueTask Publish(object notification, CancellationToken cancellationToken = default) => throw Refused();

        private static InvalidOperationException Refused() =>
            new("This context was made for migrations; it does not dispatch domain events.");
    }
}
