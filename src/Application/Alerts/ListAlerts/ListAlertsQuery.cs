using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Alerts.ListAlerts;

/// <summary>GET /api/alerts/: filters, search, ordering and page, typed.</summary>
public sealed record ListAlertsQuery(ListCriteria<Alert> Criteria) : IQuery<Page<AlertDto>>
{
    public static readonly ListParameter Assignee = new(
        "assignee", typeof(UserReference), MaxLength: 20,
        Description: "me (the caller), none (unassigned) or a user id.");

    public static readonly ListParameter SlaBreached = new(
        "sla_breached", typeof(bool),
        Description: "true: a due time passed before its step (acknowledge, close) happened, or passed and the step is still pending.");

    public static readonly ListParameter Rule = new(
        "rule", typeof(long), Minimum: 1,
        Description: "A detection rule's id: the alerts that rule raised.");

    /// <summary>
    /// The alert list, declared once. Every filter and ordering reads the alert's own columns (its snapshot of the
    /// event's severity, source, type and text), so each is served by an alert index without joining events. Filters
    /// added later go last: their place is their place in generated clients' method signatures.
    /// </summary>
    public static readonly ListSpec<Alert> Spec = ListSpec.For<Alert>()
        .AnyOf("status", a => a.Status)
        .AnyOf("event__severity", a => a.Severity)
        .Equal("event__source", a => a.Source, SecurityEvent.SourceMaxLength)
        .Equal("event__event_type", a => a.EventType, SecurityEvent.EventTypeMaxLength)
        .Range("created_at", a => a.CreatedAt)
        .Searchable()
        .Order("created_at", a => a.CreatedAt)
        .Order("updated_at", a => a.UpdatedAt)
        .Order("status", a => a.Status, then: "-created_at")
        .Order("event__severity", a => a.Severity, then: "-created_at")
        .DefaultOrder("-created_at")
        .TieBreaker(a => a.Id)
        .FilterByDetection(a => a.DetectionTechnique, a => a.DetectionConfidence)
        .Where<UserReference>(Assignee, user => user.Id is { } id ? a => a.AssigneeId == id : a => a.AssigneeId == null)
        .AllOf("tags", a => a.Tags, Alert.TagMaxLength, lowerCase: true)
        .WhereAt<bool>(SlaBreached, (breached, now) => breached ? SlaBreach.At(now) : SlaBreach.NotAt(now))
        .Order("last_seen_at", a => a.LastSeenAt)
        .Order("occurrences", a => a.Occurrences)
        .Where<long>(Rule, id => a => a.RuleId == id);
}

public sealed class ListAlertsQueryHandler(IApplicationReadDbContext db, ITextSearch textSearch, TimeProvider clock, ICappedCounts cappedCounts)
    : IQueryHandler<ListAlertsQuery, Page<AlertDto>>
{
    public async ValueTask<Page<AlertDto>> Handle(ListAlertsQuery query, CancellationToken cancellationToken)
    {
        var spec = ListAlertsQuery.Spec;
        var now = clock.GetUtcNow();
        var alerts = spec.Apply(db.Alerts.AsNoTracking(), query.Criteria, textSearch.Matching, now);

        var page = await spec.PageAsync(alerts, query.Criteria, AlertListProjection.Rows, row => row, cancellationToken, cappedCounts);
        return page.WithItems(await AlertListProjection.ToDtosAsync(db, page.Items, now, cancellationToken));
    }
}
