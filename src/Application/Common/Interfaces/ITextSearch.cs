using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Case-insensitive substring search over the source, event type and description of an event, or of an alert's own
/// snapshot of them. Lives behind an interface because the fast form is PostgreSQL's ILIKE served by a trigram index,
/// which the Application cannot name.
/// </summary>
public interface ITextSearch
{
    IQueryable<SecurityEvent> Matching(IQueryable<SecurityEvent> events, string term);

    IQueryable<Alert> Matching(IQueryable<Alert> alerts, string term);

    /// <summary>Over a sensor's name and description.</summary>
    IQueryable<Sensor> Matching(IQueryable<Sensor> sensors, string term);

    /// <summary>Over a detection rule's title and Sigma id.</summary>
    IQueryable<DetectionRule> Matching(IQueryable<DetectionRule> rules, string term);
}
