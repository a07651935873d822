using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Notifications.GetRule;

/// <summary>One rule by id (GET /api/notifications/rules/{id}/).</summary>
public sealed record GetRuleQuery(long Id) : IQuery<RuleDto>;

public sealed class GetRuleQueryHandler(IApplicationDbContext db) : IQueryHandler<GetRuleQuery, RuleDto>
{
    public async ValueTask<RuleDto> Handle(GetRuleQuery query, CancellationToken cancellationToken) =>
        await db.NotificationRules.AsNoTracking().Where(r => r.Id == query.Id).ProjectToDto().FirstOrDefaultAsync(cancellationToken)
        ?? throw new NotFound("Rule", query.Id);
}
