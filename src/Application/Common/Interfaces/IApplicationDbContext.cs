using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>The narrow view of the database the use cases need; EF Core's DbContext implements it in Infrastructure.</summary>
/// <remarks>It reads too (a command's reads are in its transaction, on the primary): it is an <see cref="IApplicationReadDbContext"/>.</remarks>
public interface IApplicationDbContext : IApplicationReadDbContext
{
    new DbSet<User> Users { get; }
    DbSet<RefreshToken> RefreshTokens { get; }
    new DbSet<SecurityEvent> Events { get; }
    new DbSet<Alert> Alerts { get; }
    DbSet<Sensor> Sensors { get; }
    DbSet<SensorSource> SensorSources { get; }
    DbSet<ApiKey> ApiKeys { get; }
    new DbSet<AlertComment> AlertComments { get; }
    DbSet<LoginFailure> LoginFailures { get; }
    new DbSet<NotificationChannel> NotificationChannels { get; }
    DbSet<NotificationRule> NotificationRules { get; }
    new DbSet<NotificationDelivery> NotificationDeliveries { get; }
    DbSet<DetectionRule> DetectionRules { get; }

    /// <summary>Read only: entries are written through <see cref="IAuditLog"/>, which chains them.</summary>
    new DbSet<AuditEntry> AuditEntries { get; }

    /// <summary>Saves in one transaction, after dispatching the domain events the tracked entities raised.</summary>
    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves like <see cref="SaveChangesAsync"/>, but answers what a unique index's refusal means instead of throwing
    /// (<see cref="SaveResult.Saved"/> when saved). On a refusal the transaction rolled back and nothing stays tracked.
    /// </summary>
    Task<SaveResult> TrySaveChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves like <see cref="SaveChangesAsync"/>; an alert whose row changed since it was read (xmin) loses its changes
    /// and is answered back, and the others are saved without it (bulk actions: one conflict does not sink the rest).
    /// </summary>
    Task<IReadOnlySet<Alert>> SaveChangesSkippingConflictsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Frees the (source, external_id) idempotency keys held by stored events of <paramref name="sources"/> that
    /// <paramref name="keptSensorId"/> did not write (all of them when it is null): a new event may then reuse such a key.
    /// The events themselves stay. Runs in a transaction the next save commits (and a failed save rolls back).
    /// </summary>
    Task<int> ReleaseEventKeysAsync(IReadOnlyCollection<string> sources, long? keptSensorId, CancellationToken cancellationToken);

    /// <summary>Stops tracking everything loaded or added so far (a change about to be redone on fresh copies).</summary>
    void ForgetChanges();
}
