using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Notifications.DeleteRule;

/// <summary>An admin deletes a rule (DELETE /api/notifications/rules/{id}/); its deliveries stay in the log (rule null).</summary>
public sealed record DeleteRuleCommand(long Id) : ICommand;

public sealed class DeleteRuleCommandHandler(IApplicationDbContext db) : ICommandHandler<DeleteRuleCommand>
{
    public async ValueTask<Unit> Handle(DeleteRuleCommand command, CancellationToken cancellationToken)
    {
        var rule = await db.NotificationRules.FirstOrDefaultAsync(r => r.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Rule", command.Id);
        db.NotificationRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
