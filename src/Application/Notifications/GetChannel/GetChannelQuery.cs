using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Notifications.GetChannel;

/// <summary>One channel by id (GET /api/notifications/channels/{id}/), without its secret.</summary>
public sealed record GetChannelQuery(long Id) : IQuery<ChannelDto>;

public sealed class GetChannelQueryHandler(IApplicationDbContext db) : IQueryHandler<GetChannelQuery, ChannelDto>
{
    public async ValueTask<ChannelDto> Handle(GetChannelQuery query, CancellationToken cancellationToken) =>
        await db.NotificationChannels.AsNoTracking().Where(c => c.Id == query.Id).ProjectToDto().FirstOrDefaultAsync(cancellationToken)
        ?? throw new NotFound("Channel", query.Id);
}
