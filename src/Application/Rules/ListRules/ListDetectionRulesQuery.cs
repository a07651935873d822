using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Rules;

namespace ThreatPlatform.Application.Rules.ListRules;

/// <summary>GET /api/rules/: every detection rule, oldest first by default, a page at a time.</summary>
public sealed record ListDetectionRulesQuery(ListCriteria<DetectionRule> Criteria) : IQuery<Page<DetectionRuleDto>>
{
    public static readonly ListSpec<DetectionRule> Spec = ListSpec.For<DetectionRule>()
        .Equal("is_active", r => r.IsActive)
        .AnyOf("level", r => r.Level)
        .Searchable()
        .Order("id", r => r.Id)
        .Order("title", r => r.Title)
        .Order("level", r => r.Level, then: "id")
        .Order("updated_at", r => r.UpdatedAt)
        .DefaultOrder("id")
        .TieBreaker(r => r.Id);
}

public sealed class ListDetectionRulesQueryHandler(IApplicationDbContext db, ITextSearch textSearch)
    : IQueryHandler<ListDetectionRulesQuery, Page<DetectionRuleDto>>
{
    public async ValueTask<Page<DetectionRuleDto>> Handle(ListDetectionRulesQuery query, CancellationToken cancellationToken)
    {
        var spec = ListDetectionRulesQuery.Spec;
        return await spec.PageAsync(
            spec.Apply(db.DetectionRules.AsNoTracking(), query.Criteria, textSearch.Matching),
            query.Criteria,
            page => page.ProjectToDto(db.Alerts),
            rule => rule,
            cancellationToken);
    }
}
