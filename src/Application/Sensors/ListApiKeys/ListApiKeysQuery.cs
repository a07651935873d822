using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Sensors.ListApiKeys;

/// <summary>A sensor's keys, revoked ones included, newest first (GET /api/sensors/{id}/keys/). Never a secret.</summary>
public sealed record ListApiKeysQuery(long SensorId) : IQuery<IReadOnlyList<ApiKeyDto>>;

public sealed class ListApiKeysQueryHandler(IApplicationDbContext db) : IQueryHandler<ListApiKeysQuery, IReadOnlyList<ApiKeyDto>>
{
    public async ValueTask<IReadOnlyList<ApiKeyDto>> Handle(ListApiKeysQuery query, CancellationToken cancellationToken)
    {
        if (!await db.Sensors.AnyAsync(s => s.Id == query.SensorId, cancellationToken))
        {
            throw new NotFound("Sensor", query.SensorId);
        }

        return await db.ApiKeys.AsNoTracking()
            .Where(k => k.SensorId == query.SensorId)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .ProjectToDto()
            .ToListAsync(cancellationToken);
    }
}
