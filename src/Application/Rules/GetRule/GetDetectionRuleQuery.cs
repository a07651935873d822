using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Rules.GetRule;

public sealed record GetDetectionRuleQuery(long Id) : IQuery<DetectionRuleDto>;

public sealed class GetDetectionRuleQueryHandler(IApplicationDbContext db) : IQueryHandler<GetDetectionRuleQuery, DetectionRuleDto>
{
    public async ValueTask<DetectionRuleDto> Handle(GetDetectionRuleQuery query, CancellationToken cancellationToken) =>
        await db.DetectionRules.AsNoTracking().Where(r => r.Id == query.Id).ProjectToDto(db.Alerts).FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFound("Rule", query.Id);
}
