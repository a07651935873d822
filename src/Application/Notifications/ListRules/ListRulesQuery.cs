using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.ListRules;

/// <summary>GET /api/notifications/rules/: every rule, oldest first by default, a page at a time.</summary>
public sealed record ListRulesQuery(ListCriteria<NotificationRule> Criteria) : IQuery<Page<RuleDto>>
{
    public static readonly ListSpec<NotificationRule> Spec = ListSpec.For<NotificationRule>()
        .Equal("is_active", r => r.IsActive)
        .Order("id", r => r.Id)
        .Order("name", r => r.NormalizedName)
        .DefaultOrder("id")
        .TieBreaker(r => r.Id);
}

public sealed class ListRulesQueryHandler(IApplicationDbContext db) : IQueryHandler<ListRulesQuery, Page<RuleDto>>
{
    public async ValueTask<Page<RuleDto>> Handle(ListRulesQuery query, CancellationToken cancellationToken)
    {
        var spec = ListRulesQuery.Spec;
        return await spec.PageAsync(
            spec.Apply(db.NotificationRules.AsNoTracking(), query.Criteria),
            query.Criteria,
            page => page.ProjectToDto(),
            rule => rule,
            cancellationToken);
    }
}
