using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.TestChannel;

/// <summary>
/// An admin sends a test message through a channel (POST /api/notifications/channels/{id}/test/): a delivery like any
/// other (the dispatcher sends it, retries it, and the delivery log shows how it went), answered 202 with its id.
/// </summary>
public sealed record TestChannelCommand(long Id) : ICommand<QueuedDeliveryDto>;

public sealed class TestChannelCommandHandler(IApplicationDbContext db, TimeProvider clock) : ICommandHandler<TestChannelCommand, QueuedDeliveryDto>
{
    public async ValueTask<QueuedDeliveryDto> Handle(TestChannelCommand command, CancellationToken cancellationToken)
    {
        if (!await db.NotificationChannels.AnyAsync(c => c.Id == command.Id, cancellationToken))
        {
            throw new NotFound("Channel", command.Id);
        }

        var delivery = NotificationDelivery.Test(command.Id, clock.GetUtcNow());
        db.NotificationDeliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        return new QueuedDeliveryDto(delivery.Id);
    }
}
