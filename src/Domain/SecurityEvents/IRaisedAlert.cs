namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>
/// What a security event knows of an alert it raised: the alert's id (assigned when it is saved) and its rule (null for
/// the alert the event's severity raised). The alert holds its event; the event sees the alert only through this.
/// </summary>
public interface IRaisedAlert
{
    long Id { get; }

    long? RuleId { get; }
}
