using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Notifications.DeleteChannel;

/// <summary>
/// An admin deletes a channel (DELETE /api/notifications/channels/{id}/). A channel a rule still names is a 409: the
/// rule would silently lose a route. Its deliveries stay in the log (channel null); pending ones are given up.
/// </summary>
public sealed record DeleteChannelCommand(long Id) : ICommand;

public sealed class DeleteChannelCommandHandler(IApplicationDbContext db) : ICommandHandler<DeleteChannelCommand>
{
    public async ValueTask<Unit> Handle(DeleteChannelCommand command, CancellationToken cancellationToken)
    {
        var channel = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Channel", command.Id);
        var usedBy = await db.NotificationRules.AsNoTracking()
            .Where(r => r.ChannelIds.Contains(command.Id))
            .OrderBy(r => r.Id)
            .Select(r => r.Name)
            .FirstOrDefaultAsync(cancellationToken);
        if (usedBy is not null)
        {
            throw new Conflict($"The rule '{usedBy}' sends through this channel; take it off the rule first.", "Id");
        }

        db.NotificationChannels.Remove(channel);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
