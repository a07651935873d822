using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Rules.CreateRule;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Rules.ReplaceRule;

/// <summary>PUT /api/rules/{id}/: a new Sigma document for the rule; nothing changes unless it compiles.</summary>
public sealed record ReplaceDetectionRuleCommand(long Id, string? Sigma) : ICommand<DetectionRuleDto>;

public sealed class ReplaceDetectionRuleCommandHandler(IApplicationDbContext db, IAuditLog audit, IDetectionRuleSet ruleSet, TimeProvider clock)
    : ICommandHandler<ReplaceDetectionRuleCommand, DetectionRuleDto>
{
    public async ValueTask<DetectionRuleDto> Handle(ReplaceDetectionRuleCommand command, CancellationToken cancellationToken)
    {
        var rule = await db.DetectionRules.FirstOrDefaultAsync(r => r.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Rule", command.Id);
        var (_, definition) = SigmaDocuments.Compile(command.Sigma);
        rule.Replace(definition, command.Sigma!, clock.GetUtcNow());
        audit.Record(AuditAction.DetectionRuleUpdated, AuditTargets.DetectionRule(rule.Id), "sigma; " + CreateDetectionRuleCommandHandler.Describe(rule));
        await db.SaveChangesAsync(cancellationToken);
        ruleSet.Changed();
        return await db.DetectionRules.AsNoTracking().Where(r => r.Id == rule.Id).ProjectToDto(db.Alerts).SingleAsync(cancellationToken);
    }
}
