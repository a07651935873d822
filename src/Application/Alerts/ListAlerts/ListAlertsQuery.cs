using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Alerts.ListAlerts;

/// <summary>GET /api/alerts/: filters, search, ordering and page, typed.</summary>
public sealed record ListAlertsQuery(ListCriteria<Alert> Criteria) : IQuery<Page<AlertDto>>
{
    /// <summary>
    /// The alert list, declared once. Every filter and ordering reads the alert's own columns (its snapshot of the
    /// event's severity, source, type and text), so each is served by an alert index without joining events.
    /// </summary>
    public static readonly ListSpec<Alert> Spec = ListSpec.For<Alert>()
        .AnyOf("status", a => a.Status)
        .AnyOf("event__severity", a => a.Severity)
        .Equal("event__source", a => a.Source, SecurityEvent.SourceMaxLength)
        .Equal("event__event_type", a => a.EventType, SecurityEvent.EventTypeMaxLength)
        .Range("created_at", a => a.CreatedAt)
        .Where<string>(DetectionFilters.Technique, t => DetectionFilters.OfTechnique<Alert>(t, a => a.DetectionTechnique))
        .Where<double>(DetectionFilters.MinConfidence, c => a => a.DetectionConfidence >= c)
        .Searchable()
        .Order("created_at", a => a.CreatedAt)
        .Order("updated_at", a => a.UpdatedAt)
        .Order("status", a => a.Status, then: "-created_at")
        .Order("event__severity", a => a.Severity, then: "-created_at")
        .DefaultOrder("-created_at")
        .TieBreaker(a => a.Id);
}

public sealed class ListAlertsQueryHandler(IApplicationDbContext db, ITextSearch textSearch)
    : IQueryHandler<ListAlertsQuery, Page<AlertDto>>
{
    public async ValueTask<Page<AlertDto>> Handle(ListAlertsQuery query, CancellationToken cancellationToken)
    {
        var spec = ListAlertsQuery.Spec;
        var alerts = spec.Apply(db.Alerts.AsNoTracking(), query.Criteria, textSearch.Matching);

        return await spec.PageAsync(alerts, query.Criteria, AlertListProjection.Rows, AlertListProjection.ToDto, cancellationToken);
    }
}
