using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Rules.SetRuleActive;

/// <summary>PATCH /api/rules/{id}/: switches the rule on or off (is_active).</summary>
public sealed record SetDetectionRuleActiveCommand(long Id, bool? IsActive) : ICommand<DetectionRuleDto>;

public sealed class SetDetectionRuleActiveCommandHandler(IApplicationDbContext db, IAuditLog audit, IDetectionRuleSet ruleSet, TimeProvider clock)
    : ICommandHandler<SetDetectionRuleActiveCommand, DetectionRuleDto>
{
    public async ValueTask<DetectionRuleDto> Handle(SetDetectionRuleActiveCommand command, CancellationToken cancellationToken)
    {
        var active = command.IsActive ?? throw new RequestValidationException("is_active", "is_active is required: true or false.");
        var rule = await db.DetectionRules.FirstOrDefaultAsync(r => r.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Rule", command.Id);
        if (rule.IsActive != active)
        {
            rule.SetActive(active, clock.GetUtcNow());
            audit.Record(AuditAction.DetectionRuleUpdated, AuditTargets.DetectionRule(rule.Id), $"is_active={(active ? "true" : "false")}");
            await db.SaveChangesAsync(cancellationToken);
            ruleSet.Changed();
        }

        return await db.DetectionRules.AsNoTracking().Where(r => r.Id == rule.Id).ProjectToDto(db.Alerts).SingleAsync(cancellationToken);
    }
}
