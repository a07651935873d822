using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence.Audit;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>
/// The EF Core context. The API's contexts come from a pool (AddPooledDbContextFactory: building a context's internal
/// services was about a tenth of a single ingest's API time); each request leases one with its own publisher and audit
/// log (<see cref="Lease"/>), and EF Core resets its state when the request's scope returns it. A save first publishes
/// the domain events and collects the audit entries (<see cref="DomainEventDispatch"/>, a save interceptor), then
/// writes, then appends the audit entries and commits.
/// </summary>
public sealed class ApplicationDbContext : DbContext, IApplicationDbContext
{
    private IPublisher _publisher = NoDispatch.Instance;

    // The request's audit log; null in contexts that only migrate or read (they write no entries).
    private AuditChain? _audit;

    /// <summary>For the pool: a context that dispatches nothing until it is leased.</summary>
    public ApplicationDbContext(DbContextOptions<ApplicationDbContext> options)
        : base(options)
    {
    }

    /// <summary>A context that only migrates or reads the schema: its options carry no <see cref="DomainEventDispatch"/>.</summary>
    public static ApplicationDbContext ForMigrations(DbContextOptions<ApplicationDbContext> options) => new(options);

    /// <summary>A context the queries read through (the read replica's): it tracks and saves nothing.</summary>
    internal static ApplicationDbContext ForReading(DbContextOptions<ApplicationDbContext> options) => new(options);

    /// <summary>This request's use of a pooled context: its domain events go to <paramref name="publisher"/>, its audit entries to <paramref name="audit"/>.</summary>
    internal ApplicationDbContext Lease(IPublisher publisher, AuditChain? audit)
    {
        _publisher = publisher;
        _audit = audit;
        _lockTransaction = null;
        _auditedStatusChanges = null;
        return this;
    }

    /// <summary>Where <see cref="DomainEventDispatch"/> publishes this context's domain events: the leasing request's publisher.</summary>
    internal IPublisher Publisher => _publisher;

    /// <summary>A transaction of this context committed (<see cref="AuditCheckpointOnCommit"/>): the audit chain may publish its head.</summary>
    internal Task AuditCommittedAsync(Guid transaction) => _audit?.CommittedAsync(transaction) ?? Task.CompletedTask;

    internal void AuditRolledBack(Guid transaction) => _audit?.RolledBack(transaction);

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
    public DbSet<NotificationChannel> NotificationChannels => Set<NotificationChannel>();
    public DbSet<NotificationRule> NotificationRules => Set<NotificationRule>();
    public DbSet<NotificationDelivery> NotificationDeliveries => Set<NotificationDelivery>();
    public DbSet<DetectionRule> DetectionRules => Set<DetectionRule>();

    IQueryable<User> IApplicationReadDbContext.Users => Users;
    IQueryable<SecurityEvent> IApplicationReadDbContext.Events => Events;
    IQueryable<Alert> IApplicationReadDbContext.Alerts => Alerts;
    IQueryable<AlertComment> IApplicationReadDbContext.AlertComments => AlertComments;
    IQueryable<AuditEntry> IApplicationReadDbContext.AuditEntries => AuditEntries;
    IQueryable<NotificationDelivery> IApplicationReadDbContext.NotificationDeliveries => NotificationDeliveries;
    IQueryable<NotificationChannel> IApplicationReadDbContext.NotificationChannels => NotificationChannels;

    // Begun by a handler that locked a row (CollectingAlerts) during dispatch, or for the audit entries; the save commits it.
    private IDbContextTransaction? _lockTransaction;

    // The status changes this save audits, collected once the domain event handlers ran (PrepareAuditAsync); null
    // when it writes no audit entries.
    private List<AuditEntry>? _auditedStatusChanges;

    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        _auditedStatusChanges = null;
        try
        {
            // DomainEventDispatch runs first, inside: the domain event handlers, then PrepareAuditAsync.
            var saved = await base.SaveChangesAsync(cancellationToken);
            if (_audit is { } audit && _auditedStatusChanges is { } statusChanges)
            {
                // The audit entries commit with the changes they describe, in the caller's transaction when there is one.
                var written = await audit.AppendAsync(this, statusChanges, cancellationToken);
                await CommitLockTransactionAsync(cancellationToken);
                audit.Written(written);
            }
            else
            {
                await CommitLockTransactionAsync(cancellationToken);
            }

            return saved;
        }
        catch when (_auditedStatusChanges is not null)
        {
            _audit?.Failed();
            throw;
        }
        finally
        {
            _auditedStatusChanges = null;
            // Disposing an uncommitted transaction rolls it back (and releases the locks it held).
            if (_lockTransaction is { } transaction)
            {
                _lockTransaction = null;
                await transaction.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Collects this save's audit entries (the recorded ones, and one per status change the tracked alerts are about to
    /// store, the domain event handlers' included) and, when there is any, begins the transaction they commit in with
    /// the changes they describe, unless one is open. Called by <see cref="DomainEventDispatch"/> after the handlers ran,
    /// before EF Core saves.
    /// </summary>
    internal async Task PrepareAuditAsync(CancellationToken cancellationToken)
    {
        if (_audit is null)
        {
            return;
        }

        var statusChanges = _audit.CollectStatusChanges(this);
        if (statusChanges.Count == 0 && !_audit.HasPending)
        {
            return;
        }

        _auditedStatusChanges = statusChanges;
        await EnlistInNextSaveAsync(cancellationToken);
    }

    private async Task CommitLockTransactionAsync(CancellationToken cancellationToken)
    {
        if (_lockTransaction is { } transaction)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public async Task<SaveResult> TrySaveChangesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SaveChangesAsync(cancellationToken);
            return SaveResult.Saved;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } refusal)
        {
            // The transaction rolled back: nothing tracked matches the database any more (rows it added are not there,
            // rows it changed are as they were), so the caller starts again from what is stored.
            ChangeTracker.Clear();
            return UniqueIndexes.RefusalBy(refusal.ConstraintName);
        }
    }

    /// <summary>
    /// Begins the transaction the next save commits (and a failed save rolls back), unless one is open: the locks and
    /// writes made before that save (<see cref="CollectingAlerts"/>, correlations, released keys) are part of it.
    /// </summary>
    internal async Task EnlistInNextSaveAsync(CancellationToken cancellationToken)
    {
        if (Database.CurrentTransaction is null)
        {
            _lockTransaction = await Database.BeginTransactionAsync(cancellationToken);
        }
    }

    public async Task<int> ReleaseEventKeysAsync(IReadOnlyCollection<string> sources, long? keptSensorId, CancellationToken cancellationToken)
    {
        if (sources.Count == 0)
        {
            return 0;
        }

        // The save that follows commits the release with the change that asked for it (a sensor claiming the sources).
        await EnlistInNextSaveAsync(cancellationToken);

        var names = sources.ToArray();
        // event_keys points at its event by (id, timestamp), the partitioned key of events: one probe per key.
        return keptSensorId is { } sensorId
            ? await Database.ExecuteSqlAsync(
                $"""
                DELETE FROM event_keys k USING events e
                WHERE k.source = ANY({names}) AND e.id = k.event_id AND e."timestamp" = k."timestamp"
                  AND e.sensor_id IS DISTINCT FROM {sensorId}
                """,
                cancellationToken)
            : await Database.ExecuteSqlAsync($"DELETE FROM event_keys WHERE source = ANY({names})", cancellationToken);
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

    public void ForgetChanges() => ChangeTracker.Clear();

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

    private sealed class NoDispatch : IPublisher
    {
        public static readonly NoDispatch Instance = new();

        public ValueTask Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
            where TNotification : INotification => throw Refused();

        public ValueTask Publish(object notification, CancellationToken cancellationToken = default) => throw Refused();

        private static InvalidOperationException Refused() =>
            new("This context was not leased for a request; it does not dispatch domain events.");
    }
}
