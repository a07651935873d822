using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.ListEvents;

/// <summary>GET /api/events/: filters, search, ordering and page, typed.</summary>
public sealed record ListEventsQuery(ListCriteria<SecurityEvent> Criteria) : IQuery<Page<EventDto>>
{
    /// <summary>The event list, declared once; severity orders by rank (LOW &lt; MEDIUM &lt; HIGH &lt; CRITICAL).</summary>
    public static readonly ListSpec<SecurityEvent> Spec = ListSpec.For<SecurityEvent>()
        .AnyOf("severity", e => e.Severity)
        .Equal("source", e => e.Source, SecurityEvent.SourceMaxLength)
        .Equal("event_type", e => e.EventType, SecurityEvent.EventTypeMaxLength)
        .Range("occurred_at", e => e.OccurredAt)
        .Searchable()
        .Order("timestamp", e => e.Timestamp)
        .Order("occurred_at", e => e.OccurredAt)
        .Order("severity", e => e.Severity, then: "-timestamp")
        .DefaultOrder("-timestamp")
        .TieBreaker(e => e.Id)
        .FilterByDetection(e => e.DetectionTechnique, e => e.DetectionConfidence);
}

public sealed class ListEventsQueryHandler(IApplicationReadDbContext db, ITextSearch textSearch, ICappedCounts cappedCounts)
    : IQueryHandler<ListEventsQuery, Page<EventDto>>
{
    public async ValueTask<Page<EventDto>> Handle(ListEventsQuery query, CancellationToken cancellationToken)
    {
        var spec = ListEventsQuery.Spec;
        var events = spec.Apply(db.Events.AsNoTracking(), query.Criteria, textSearch.Matching);
        return await spec.PageAsync(events, query.Criteria, page => page.WithAlertId(db.Alerts), row => row.ToDto(), cancellationToken, cappedCounts);
    }
}
