using Mediator;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Common;

/// <summary>Carries a domain event through the mediator (the Domain references no package, so it cannot be an INotification itself).</summary>
public sealed record EventIngestedNotification(EventIngested DomainEvent) : INotification;

public static class DomainEventNotifications
{
    /// <summary>The one place a domain event becomes the notification its handlers listen for.</summary>
    public static INotification From(IDomainEvent domainEvent) => domainEvent switch
    {
        EventIngested e => new EventIngestedNotification(e),
        _ => throw new InvalidOperationException($"No notification is declared for {domainEvent.GetType().Name}."),
    };
}
