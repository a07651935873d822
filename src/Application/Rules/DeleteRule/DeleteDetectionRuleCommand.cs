using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Rules.DeleteRule;

/// <summary>DELETE /api/rules/{id}/: the rule stops at once; the alerts it raised keep what they say about it.</summary>
public sealed record DeleteDetectionRuleCommand(long Id) : ICommand;

public sealed class DeleteDetectionRuleCommandHandler(IApplicationDbContext db, IAuditLog audit, IDetectionRuleSet ruleSet)
    : ICommandHandler<DeleteDetectionRuleCommand>
{
    public async ValueTask<Unit> Handle(DeleteDetectionRuleCommand command, CancellationToken cancellationToken)
    {
        var rule = await db.DetectionRules.FirstOrDefaultAsync(r => r.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Rule", command.Id);
        db.DetectionRules.Remove(rule);
        audit.Record(AuditAction.DetectionRuleDeleted, AuditTargets.DetectionRule(rule.Id), $"title={(rule.Title.Length > 200 ? rule.Title[..200] : rule.Title)}");
        await db.SaveChangesAsync(cancellationToken);
        ruleSet.Changed();
        return Unit.Value;
    }
}
