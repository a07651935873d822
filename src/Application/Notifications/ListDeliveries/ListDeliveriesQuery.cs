using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.ListDeliveries;

/// <summary>GET /api/notifications/deliveries/: the outbox, newest first, filtered by status, channel, rule or alert.</summary>
public sealed record ListDeliveriesQuery(ListCriteria<NotificationDelivery> Criteria) : IQuery<Page<DeliveryDto>>
{
    public static readonly ListSpec<NotificationDelivery> Spec = ListSpec.For<NotificationDelivery>()
        .AnyOf("status", d => d.Status)
        .Equal("channel", d => d.ChannelId!.Value)
        .Equal("rule", d => d.RuleId!.Value)
        .Equal("alert", d => d.AlertId!.Value)
        .Order("id", d => d.Id)
        .Order("created_at", d => d.CreatedAt)
        .DefaultOrder("-id")
        .TieBreaker(d => d.Id);
}

public sealed class ListDeliveriesQueryHandler(IApplicationDbContext db)
    : IQueryHandler<ListDeliveriesQuery, Page<DeliveryDto>>
{
    public async ValueTask<Page<DeliveryDto>> Handle(ListDeliveriesQuery query, CancellationToken cancellationToken)
    {
        var spec = ListDeliveriesQuery.Spec;
        return await spec.PageAsync(
            spec.Apply(db.NotificationDeliveries.AsNoTracking(), query.Criteria),
            query.Criteria,
            page => page.ProjectToDto(),
            delivery => delivery,
            cancellationToken);
    }
}
