using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.ListEvents;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Alerts.ListAlertEvents;

/// <summary>
/// GET /api/alerts/{id}/events/: the events an alert holds — the one that raised it and those folded into it (grouping)
/// — newest first, with the event list's filters, search and orderings (one declaration, <see cref="ListEventsQuery.Spec"/>).
/// </summary>
public sealed record ListAlertEventsQuery(long AlertId, ListCriteria<SecurityEvent> Criteria) : IQuery<Page<EventDto>>;

public sealed class ListAlertEventsQueryHandler(IApplicationReadDbContext db, ITextSearch textSearch)
    : IQueryHandler<ListAlertEventsQuery, Page<EventDto>>
{
    public async ValueTask<Page<EventDto>> Handle(ListAlertEventsQuery query, CancellationToken cancellationToken)
    {
        var raisedBy = await db.Alerts.AsNoTracking()
            .Where(a => a.Id == query.AlertId)
            .Select(a => (long?)a.EventId)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFound("Alert", query.AlertId);

        var spec = ListEventsQuery.Spec;
        var events = spec.Apply(
            db.Events.AsNoTracking().Where(e => e.FoldedIntoAlertId == query.AlertId || e.Id == raisedBy),
            query.Criteria,
            textSearch.Matching);
        return await spec.PageAsync(events, query.Criteria, page => page.WithAlertId(db.Alerts), row => row.ToDto(), cancellationToken);
    }
}
