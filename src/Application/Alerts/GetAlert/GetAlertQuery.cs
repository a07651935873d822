using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Alerts.GetAlert;

/// <summary>One alert with its event and history (GET /api/alerts/{id}/).</summary>
public sealed record GetAlertQuery(long Id) : IQuery<AlertDetailDto>;

public sealed class GetAlertQueryHandler(IApplicationReadDbContext db, TimeProvider clock) : IQueryHandler<GetAlertQuery, AlertDetailDto>
{
    public async ValueTask<AlertDetailDto> Handle(GetAlertQuery query, CancellationToken cancellationToken)
    {
        var alert = await db.Alerts.AsNoTracking()
            .ForDetail()
            .FirstOrDefaultAsync(a => a.Id == query.Id, cancellationToken)
            ?? throw new NotFound("Alert", query.Id);
        return await alert.ToDetailAsync(db, clock, cancellationToken);
    }
}
