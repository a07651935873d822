using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Events.ListEvents;

/// <summary>GET /api/events/: the parameters as they came on the wire; the handler reads and checks them.</summary>
public sealed record ListEventsQuery : IQuery<Page<EventDto>>
{
    public int? Page { get; init; }
    public int? PageSize { get; init; }
    public IReadOnlyList<string>? Severity { get; init; }
    public string? Source { get; init; }
    public string? EventType { get; init; }
    public string? OccurredAtGte { get; init; }
    public string? OccurredAtLte { get; init; }
    public string? Search { get; init; }
    public string? Ordering { get; init; }
}

public enum EventOrderField
{
    Timestamp,
    OccurredAt,
    Severity,
}

public sealed class ListEventsQueryHandler(IApplicationDbContext db, ITextSearch textSearch)
    : IQueryHandler<ListEventsQuery, Page<EventDto>>
{
    /// <summary>The ordering names the API accepts; severity orders by rank (LOW &lt; MEDIUM &lt; HIGH &lt; CRITICAL).</summary>
    public static readonly IReadOnlyDictionary<string, EventOrderField> OrderFields = new Dictionary<string, EventOrderField>(StringComparer.Ordinal)
    {
        ["timestamp"] = EventOrderField.Timestamp,
        ["occurred_at"] = EventOrderField.OccurredAt,
        ["severity"] = EventOrderField.Severity,
    };

    public async ValueTask<Page<EventDto>> Handle(ListEventsQuery query, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters();
        var pageNumber = parameters.Page(query.Page);
        var pageSize = Paging.ClampPageSize(query.PageSize);
        var severities = parameters.EnumList<Severity>(query.Severity, "severity");
        var source = parameters.Text(query.Source, "source", SecurityEvent.SourceMaxLength);
        var eventType = parameters.Text(query.EventType, "event_type", SecurityEvent.EventTypeMaxLength);
        var from = parameters.Date(query.OccurredAtGte, "occurred_at__gte");
        var to = parameters.Date(query.OccurredAtLte, "occurred_at__lte");
        var search = parameters.Search(query.Search);
        var ordering = parameters.Ordering(query.Ordering, OrderFields, new Ordering<EventOrderField>(EventOrderField.Timestamp, Descending: true));
        parameters.ThrowIfInvalid();

        var events = db.Events.AsNoTracking();
        if (severities.Count > 0)
        {
            events = events.Where(e => severities.Contains(e.Severity));
        }

        if (source is not null)
        {
            events = events.Where(e => e.Source == source);
        }

        if (eventType is not null)
        {
            events = events.Where(e => e.EventType == eventType);
        }

        if (from is { } gte)
        {
            events = events.Where(e => e.OccurredAt >= gte);
        }

        if (to is { } lte)
        {
            events = events.Where(e => e.OccurredAt <= lte);
        }

        if (search is not null)
        {
            events = textSearch.Matching(events, search);
        }

        var count = await events.LongCountAsync(cancellationToken);
        Paging.ThrowIfPastEnd(pageNumber, pageSize, count);

        var rows = await Order(events, ordering)
            .Skip(Paging.Skip(pageNumber, pageSize))
            .Take(pageSize)
            .WithAlertId()
            .ToListAsync(cancellationToken);
        return new Page<EventDto>(rows.Select(r => r.ToDto()).ToList(), count, pageNumber, pageSize);
    }

    // The id breaks ties, so a page boundary never repeats or skips an event.
    private static IOrderedQueryable<SecurityEvent> Order(IQueryable<SecurityEvent> events, Ordering<EventOrderField> ordering) =>
        (ordering.Field, ordering.Descending) switch
        {
            (EventOrderField.Timestamp, false) => events.OrderBy(e => e.Timestamp).ThenBy(e => e.Id),
            (EventOrderField.Timestamp, true) => events.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id),
            (EventOrderField.OccurredAt, false) => events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id),
            (EventOrderField.OccurredAt, true) => events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id),
            (EventOrderField.Severity, false) => events.OrderBy(e => e.Severity).ThenByDescending(e => e.Timestamp).ThenByDescending(e => e.Id),
            (EventOrderField.Severity, true) => events.OrderByDescending(e => e.Severity).ThenByDescending(e => e.Timestamp).ThenByDescending(e => e.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(ordering), ordering, null),
        };
}
