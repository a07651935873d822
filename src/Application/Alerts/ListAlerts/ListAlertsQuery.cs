using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.Alerts.ListAlerts;

/// <summary>GET /api/alerts/: the parameters as they came on the wire (the original platform's names); the handler checks them.</summary>
public sealed record ListAlertsQuery : IQuery<Page<AlertDto>>
{
    public int? Page { get; init; }
    public int? PageSize { get; init; }
    public IReadOnlyList<string>? Status { get; init; }
    public IReadOnlyList<string>? EventSeverity { get; init; }
    public string? EventSource { get; init; }
    public string? EventType { get; init; }
    public string? CreatedAtGte { get; init; }
    public string? CreatedAtLte { get; init; }
    public string? Search { get; init; }
    public string? Ordering { get; init; }
}

public enum AlertOrderField
{
    CreatedAt,
    UpdatedAt,
    Status,
    Severity,
}

/// <summary>
/// Filters and orders on the alert's own columns (its snapshot of the event's severity, source and type), so each is
/// served by an alert index; only search reaches into the events table, through its trigram index.
/// </summary>
public sealed class ListAlertsQueryHandler(IApplicationDbContext db, ITextSearch textSearch)
    : IQueryHandler<ListAlertsQuery, Page<AlertDto>>
{
    public static readonly IReadOnlyDictionary<string, AlertOrderField> OrderFields = new Dictionary<string, AlertOrderField>(StringComparer.Ordinal)
    {
        ["created_at"] = AlertOrderField.CreatedAt,
        ["updated_at"] = AlertOrderField.UpdatedAt,
        ["status"] = AlertOrderField.Status,
        ["event__severity"] = AlertOrderField.Severity,
    };

    public async ValueTask<Page<AlertDto>> Handle(ListAlertsQuery query, CancellationToken cancellationToken)
    {
        var parameters = new QueryParameters();
        var pageNumber = parameters.Page(query.Page);
        var pageSize = Paging.ClampPageSize(query.PageSize);
        var statuses = parameters.EnumList<AlertStatus>(query.Status, "status");
        var severities = parameters.EnumList<Severity>(query.EventSeverity, "event__severity");
        var source = parameters.Text(query.EventSource, "event__source", SecurityEvent.SourceMaxLength);
        var eventType = parameters.Text(query.EventType, "event__event_type", SecurityEvent.EventTypeMaxLength);
        var from = parameters.Date(query.CreatedAtGte, "created_at__gte");
        var to = parameters.Date(query.CreatedAtLte, "created_at__lte");
        var search = parameters.Search(query.Search);
        var ordering = parameters.Ordering(query.Ordering, OrderFields, new Ordering<AlertOrderField>(AlertOrderField.CreatedAt, Descending: true));
        parameters.ThrowIfInvalid();

        var alerts = db.Alerts.AsNoTracking();
        if (statuses.Count > 0)
        {
            alerts = alerts.Where(a => statuses.Contains(a.Status));
        }

        if (severities.Count > 0)
        {
            alerts = alerts.Where(a => severities.Contains(a.Severity));
        }

        if (source is not null)
        {
            alerts = alerts.Where(a => a.Source == source);
        }

        if (eventType is not null)
        {
            alerts = alerts.Where(a => a.EventType == eventType);
        }

        if (from is { } gte)
        {
            alerts = alerts.Where(a => a.CreatedAt >= gte);
        }

        if (to is { } lte)
        {
            alerts = alerts.Where(a => a.CreatedAt <= lte);
        }

        if (search is not null)
        {
            alerts = textSearch.Matching(alerts, search);
        }

        var count = await alerts.LongCountAsync(cancellationToken);
        Paging.ThrowIfPastEnd(pageNumber, pageSize, count);

        // Projected, so the history (an owned collection) is not dragged into a list that does not show it.
        var rows = await Order(alerts, ordering)
            .Skip(Paging.Skip(pageNumber, pageSize))
            .Take(pageSize)
            .Select(a => new { Alert = new AlertRow(a.Id, a.Status, a.CreatedAt, a.UpdatedAt), a.Event })
            .ToListAsync(cancellationToken);
        return new Page<AlertDto>(rows.Select(r => r.Alert.ToDto(r.Event)).ToList(), count, pageNumber, pageSize);
    }

    // The id breaks ties, so a page boundary never repeats or skips an alert.
    private static IOrderedQueryable<Alert> Order(IQueryable<Alert> alerts, Ordering<AlertOrderField> ordering) =>
        (ordering.Field, ordering.Descending) switch
        {
            (AlertOrderField.CreatedAt, false) => alerts.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id),
            (AlertOrderField.CreatedAt, true) => alerts.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
            (AlertOrderField.UpdatedAt, false) => alerts.OrderBy(a => a.UpdatedAt).ThenBy(a => a.Id),
            (AlertOrderField.UpdatedAt, true) => alerts.OrderByDescending(a => a.UpdatedAt).ThenByDescending(a => a.Id),
            (AlertOrderField.Status, false) => alerts.OrderBy(a => a.Status).ThenByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
            (AlertOrderField.Status, true) => alerts.OrderByDescending(a => a.Status).ThenByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
            (AlertOrderField.Severity, false) => alerts.OrderBy(a => a.Severity).ThenByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
            (AlertOrderField.Severity, true) => alerts.OrderByDescending(a => a.Severity).ThenByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(ordering), ordering, null),
        };
}
