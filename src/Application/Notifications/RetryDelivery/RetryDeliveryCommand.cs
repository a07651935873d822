using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Notifications.RetryDelivery;

/// <summary>
/// An admin queues a FAILED or DEAD delivery again (POST /api/notifications/deliveries/{id}/retry/, 202): due at once,
/// with a fresh allowance of attempts, under the same id (receivers still drop it if they had it).
/// </summary>
public sealed record RetryDeliveryCommand(long Id) : ICommand<QueuedDeliveryDto>;

public sealed class RetryDeliveryCommandHandler(IApplicationDbContext db, TimeProvider clock) : ICommandHandler<RetryDeliveryCommand, QueuedDeliveryDto>
{
    public async ValueTask<QueuedDeliveryDto> Handle(RetryDeliveryCommand command, CancellationToken cancellationToken)
    {
        var delivery = await db.NotificationDeliveries.FirstOrDefaultAsync(d => d.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Delivery", command.Id);
        delivery.Retry(clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return new QueuedDeliveryDto(delivery.Id);
    }
}
