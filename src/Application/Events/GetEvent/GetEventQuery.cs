using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Events.GetEvent;

/// <summary>One event by id (GET /api/events/{id}/).</summary>
public sealed record GetEventQuery(long Id) : IQuery<EventDto>;

public sealed class GetEventQueryHandler(IApplicationReadDbContext db) : IQueryHandler<GetEventQuery, EventDto>
{
    public async ValueTask<EventDto> Handle(GetEventQuery query, CancellationToken cancellationToken)
    {
        var row = await db.Events.AsNoTracking()
            .Where(e => e.Id == query.Id)
            .WithAlertId(db.Alerts)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFound("Event", query.Id);
        return row.ToDetailDto();
    }
}
