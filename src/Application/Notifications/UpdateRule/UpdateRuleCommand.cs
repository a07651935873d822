using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.UpdateRule;

/// <summary>An admin changes a rule (PATCH /api/notifications/rules/{id}/): absent fields stay as they are.</summary>
public sealed record UpdateRuleCommand(long Id, NotificationRuleSpec Spec) : ICommand<RuleDto>;

public sealed class UpdateRuleCommandHandler(IApplicationDbContext db) : ICommandHandler<UpdateRuleCommand, RuleDto>
{
    public async ValueTask<RuleDto> Handle(UpdateRuleCommand command, CancellationToken cancellationToken)
    {
        var rule = await db.NotificationRules.FirstOrDefaultAsync(r => r.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Rule", command.Id);
        await NotificationConflicts.ThrowIfUnknownChannelsAsync(db, command.Spec.Channels, cancellationToken);
        rule.Apply(command.Spec);
        await NotificationConflicts.SaveAsync(
            db,
            () => db.NotificationRules.AsNoTracking().AnyAsync(r => r.NormalizedName == rule.NormalizedName && r.Id != rule.Id, cancellationToken),
            "rule",
            cancellationToken);
        return await db.NotificationRules.AsNoTracking().Where(r => r.Id == rule.Id).ProjectToDto().SingleAsync(cancellationToken);
    }
}

public sealed class UpdateRuleCommandValidator : AbstractValidator<UpdateRuleCommand>
{
    public UpdateRuleCommandValidator() => this.ValidRule(c => c.Spec, creating: false);
}
