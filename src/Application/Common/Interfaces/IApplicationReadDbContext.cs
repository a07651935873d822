using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// What the list, detail and stats queries read: no saving, nothing tracked. Infrastructure answers it from a streaming
/// replica when one is configured and it has caught up with the caller's own last write (read-your-writes), else from
/// the primary; a command's reads and writes always go through <see cref="IApplicationDbContext"/> (the primary).
/// </summary>
public interface IApplicationReadDbContext
{
    IQueryable<User> Users { get; }
    IQueryable<SecurityEvent> Events { get; }
    IQueryable<Alert> Alerts { get; }
    IQueryable<AlertComment> AlertComments { get; }
    IQueryable<AuditEntry> AuditEntries { get; }
    IQueryable<NotificationDelivery> NotificationDeliveries { get; }
    IQueryable<NotificationChannel> NotificationChannels { get; }
}
