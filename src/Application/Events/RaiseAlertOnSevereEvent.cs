using Mediator;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;

namespace ThreatPlatform.Application.Events;

/// <summary>The detection rule: a HIGH or CRITICAL event raises one OPEN alert, saved in the event's own transaction.</summary>
public sealed class RaiseAlertOnSevereEvent(IApplicationDbContext db, TimeProvider clock, SlaPolicy sla)
    : INotificationHandler<EventIngestedNotification>
{
    public ValueTask Handle(EventIngestedNotification notification, CancellationToken cancellationToken)
    {
        if (Alert.RaiseFor(notification.DomainEvent.Event, clock.GetUtcNow(), sla) is { } alert)
        {
            db.Alerts.Add(alert);
        }

        return ValueTask.CompletedTask;
    }
}
