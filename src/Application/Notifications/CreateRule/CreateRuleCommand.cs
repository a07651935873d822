using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.CreateRule;

/// <summary>An admin adds a routing rule (POST /api/notifications/rules/); min_severity defaults to HIGH.</summary>
public sealed record CreateRuleCommand(NotificationRuleSpec Spec) : ICommand<RuleDto>;

public sealed class CreateRuleCommandHandler(IApplicationDbContext db, TimeProvider clock) : ICommandHandler<CreateRuleCommand, RuleDto>
{
    public async ValueTask<RuleDto> Handle(CreateRuleCommand command, CancellationToken cancellationToken)
    {
        await NotificationConflicts.ThrowIfUnknownChannelsAsync(db, command.Spec.Channels, cancellationToken);
        var rule = NotificationRule.Create(command.Spec, clock.GetUtcNow());
        db.NotificationRules.Add(rule);
        await NotificationConflicts.SaveAsync(
            db,
            () => db.NotificationRules.AsNoTracking().AnyAsync(r => r.NormalizedName == rule.NormalizedName, cancellationToken),
            "rule",
            cancellationToken);
        return await db.NotificationRules.AsNoTracking().Where(r => r.Id == rule.Id).ProjectToDto().SingleAsync(cancellationToken);
    }
}

public sealed class CreateRuleCommandValidator : AbstractValidator<CreateRuleCommand>
{
    public CreateRuleCommandValidator() => this.ValidRule(c => c.Spec, creating: true);
}
