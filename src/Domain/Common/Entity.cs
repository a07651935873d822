namespace ThreatPlatform.Domain.Common;

/// <summary>A domain event: something that happened inside an aggregate that other parts react to.</summary>
public interface IDomainEvent;

/// <summary>Base for aggregates that raise domain events; the persistence layer dispatches them around SaveChanges.</summary>
public abstract class Entity
{
    private readonly List<IDomainEvent> _domainEvents = [];

    public IReadOnlyCollection<IDomainEvent> DomainEvents => _domainEvents;

    protected void Raise(IDomainEvent domainEvent) => _domainEvents.Add(domainEvent);

    public void ClearDomainEvents() => _domainEvents.Clear();
}
