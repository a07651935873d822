using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Sensors.GetSensor;

/// <summary>One sensor by id (GET /api/sensors/{id}/).</summary>
public sealed record GetSensorQuery(long Id) : IQuery<SensorDto>;

public sealed class GetSensorQueryHandler(IApplicationDbContext db) : IQueryHandler<GetSensorQuery, SensorDto>
{
    public async ValueTask<SensorDto> Handle(GetSensorQuery query, CancellationToken cancellationToken) =>
        await db.Sensors.AsNoTracking().Where(s => s.Id == query.Id).ProjectToDto(db.Events).FirstOrDefaultAsync(cancellationToken)
        ?? throw new NotFound("Sensor", query.Id);
}
