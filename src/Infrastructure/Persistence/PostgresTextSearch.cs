using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>
/// ILIKE '%term%' over source, event type and description: each arm is served by a trigram GIN index (events:
/// ix_events_search_trgm; alerts: ix_alerts_search_trgm), so search stays an index lookup at millions of rows.
/// </summary>
internal sealed class PostgresTextSearch : ITextSearch
{
    // Named explicitly: without it the provider emits ESCAPE '' and a '%' in the term would be a wildcard.
    private const string Escape = @"\";

    public IQueryable<SecurityEvent> Matching(IQueryable<SecurityEvent> events, string term)
    {
        var pattern = Pattern(term);
        return events.Where(e =>
            EF.Functions.ILike(e.Source, pattern, Escape)
            || EF.Functions.ILike(e.EventType, pattern, Escape)
            || EF.Functions.ILike(e.Description, pattern, Escape));
    }

    // Searches the alert's snapshot of its event (ix_alerts_search_trgm): no join, and the status and severity
    // filters narrow the same bitmap, so the page's count rechecks only the alerts that pass them.
    public IQueryable<Alert> Matching(IQueryable<Alert> alerts, string term)
    {
        var pattern = Pattern(term);
        return alerts.Where(a =>
            EF.Functions.ILike(a.Source, pattern, Escape)
            || EF.Functions.ILike(a.EventType, pattern, Escape)
            || EF.Functions.ILike(a.Description, pattern, Escape));
    }

    // Sensors are few (tens to hundreds): a sequential ILIKE over name and description needs no index.
    public IQueryable<Sensor> Matching(IQueryable<Sensor> sensors, string term)
    {
        var pattern = Pattern(term);
        return sensors.Where(s => EF.Functions.ILike(s.Name, pattern, Escape) || EF.Functions.ILike(s.Description, pattern, Escape));
    }

    // Detection rules are hundreds to a few thousand: a sequential ILIKE over title and Sigma id needs no index.
    public IQueryable<DetectionRule> Matching(IQueryable<DetectionRule> rules, string term)
    {
        var pattern = Pattern(term);
        return rules.Where(r => EF.Functions.ILike(r.Title, pattern, Escape) || (r.SigmaId != null && EF.Functions.ILike(r.SigmaId, pattern, Escape)));
    }

    /// <summary>The term as a literal substring: LIKE's wildcards and its escape character in it match themselves.</summary>
    internal static string Pattern(string term) =>
        "%" + term.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal) + "%";
}
