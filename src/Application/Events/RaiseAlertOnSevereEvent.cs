using Mediator;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events;

/// <summary>
/// The detection rule, saved in the event's own transaction: a HIGH or CRITICAL event raises one OPEN alert — or, from a
/// sensor with grouping on, folds into the collecting alert with its fingerprint when there is one (the alert row is
/// locked until the transaction ends, so events folding at once queue instead of losing updates). Two events that both
/// find no collecting alert both raise one; the unique index on collecting fingerprints refuses the second, and ingest
/// tries that event again (it then folds into the first).
/// </summary>
public sealed class RaiseAlertOnSevereEvent(IApplicationDbContext db, ICollectingAlerts collectingAlerts, TimeProvider clock, SlaPolicy sla)
    : INotificationHandler<EventIngestedNotification>
{
    public async ValueTask Handle(EventIngestedNotification notification, CancellationToken cancellationToken)
    {
        var securityEvent = notification.DomainEvent.Event;
        var at = clock.GetUtcNow();
        if (securityEvent.Severity.RaisesAlert() && securityEvent.Fingerprint is { } fingerprint
            && await collectingAlerts.FindAsync(fingerprint, null, cancellationToken) is { } collecting)
        {
            collecting.Fold(securityEvent, at, sla);
            return;
        }

        if (Alert.RaiseFor(securityEvent, at, sla) is { } alert)
        {
            db.Alerts.Add(alert);
        }
    }
}
