using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.ListSensors;

/// <summary>GET /api/sensors/: every sensor, oldest first by default, a page at a time.</summary>
public sealed record ListSensorsQuery(ListCriteria<Sensor> Criteria) : IQuery<Page<SensorDto>>
{
    public static readonly ListSpec<Sensor> Spec = ListSpec.For<Sensor>()
        .AnyOf("kind", s => s.Kind)
        .Equal("is_active", s => s.IsActive)
        .Searchable(Sensor.NameMaxLength)
        .Order("id", s => s.Id)
        .Order("name", s => s.NormalizedName)
        .Order("created_at", s => s.CreatedAt)
        .DefaultOrder("id")
        .TieBreaker(s => s.Id);
}

public sealed class ListSensorsQueryHandler(IApplicationDbContext db, ITextSearch textSearch)
    : IQueryHandler<ListSensorsQuery, Page<SensorDto>>
{
    public async ValueTask<Page<SensorDto>> Handle(ListSensorsQuery query, CancellationToken cancellationToken)
    {
        var spec = ListSensorsQuery.Spec;
        return await spec.PageAsync(
            spec.Apply(db.Sensors.AsNoTracking(), query.Criteria, textSearch.Matching),
            query.Criteria,
            page => page.ProjectToDto(db.Events),
            sensor => sensor,
            cancellationToken);
    }
}
