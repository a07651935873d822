using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Rules;

namespace ThreatPlatform.Application.Rules.CreateRule;

/// <summary>An admin adds a detection rule (POST /api/rules/): Sigma YAML that must compile; active unless told otherwise.</summary>
public sealed record CreateDetectionRuleCommand(string? Sigma, bool? IsActive) : ICommand<DetectionRuleDto>;

public sealed class CreateDetectionRuleCommandHandler(IApplicationDbContext db, IAuditLog audit, IDetectionRuleSet ruleSet, TimeProvider clock)
    : ICommandHandler<CreateDetectionRuleCommand, DetectionRuleDto>
{
    public async ValueTask<DetectionRuleDto> Handle(CreateDetectionRuleCommand command, CancellationToken cancellationToken)
    {
        var (_, definition) = SigmaDocuments.Compile(command.Sigma);
        var rule = DetectionRule.Create(definition, command.Sigma!, command.IsActive ?? true, clock.GetUtcNow());
        db.DetectionRules.Add(rule);
        audit.Record(AuditAction.DetectionRuleCreated, () => AuditTargets.DetectionRule(rule.Id), Describe(rule));
        await db.SaveChangesAsync(cancellationToken);
        ruleSet.Changed();
        return await db.DetectionRules.AsNoTracking().Where(r => r.Id == rule.Id).ProjectToDto(db.Alerts).SingleAsync(cancellationToken);
    }

    internal static string Describe(DetectionRule rule) =>
        $"title={(rule.Title.Length > 200 ? rule.Title[..200] : rule.Title)}; level={rule.Level.ToString().ToLowerInvariant()}; is_active={(rule.IsActive ? "true" : "false")}";
}
