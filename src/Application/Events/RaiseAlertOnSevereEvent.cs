using Mediator;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Events;

/// <summary>The detection rule: a HIGH or CRITICAL event raises one OPEN alert, saved in the event's own transaction.</summary>
public sealed class RaiseAlertOnSevereEvent(IApplicationDbContext db, TimeProvider clock)
    : INotificationHandler<EventIngestedNotification>
{
    public ValueTask Handle(EventIngestedNotification notification, CancellationToken cancellationToken)
    {
        var securityEvent = notification.DomainEvent.Event;
        if (securityEvent.Severity.RaisesAlert() && securityEvent.Alert is null)
        {
            db.Alerts.Add(Alert.RaiseFor(securityEvent, clock.GetUtcNow()));
        }

        return ValueTask.CompletedTask;
    }
}
