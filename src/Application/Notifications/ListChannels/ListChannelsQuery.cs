using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.ListChannels;

/// <summary>GET /api/notifications/channels/: every channel, oldest first by default, a page at a time.</summary>
public sealed record ListChannelsQuery(ListCriteria<NotificationChannel> Criteria) : IQuery<Page<ChannelDto>>
{
    public static readonly ListSpec<NotificationChannel> Spec = ListSpec.For<NotificationChannel>()
        .AnyOf("kind", c => c.Kind)
        .Equal("is_active", c => c.IsActive)
        .Order("id", c => c.Id)
        .Order("name", c => c.NormalizedName)
        .DefaultOrder("id")
        .TieBreaker(c => c.Id);
}

public sealed class ListChannelsQueryHandler(IApplicationDbContext db)
    : IQueryHandler<ListChannelsQuery, Page<ChannelDto>>
{
    public async ValueTask<Page<ChannelDto>> Handle(ListChannelsQuery query, CancellationToken cancellationToken)
    {
        var spec = ListChannelsQuery.Spec;
        return await spec.PageAsync(
            spec.Apply(db.NotificationChannels.AsNoTracking(), query.Criteria),
            query.Criteria,
            page => page.ProjectToDto(),
            channel => channel,
            cancellationToken);
    }
}
