using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>Probes sensor_sources' primary key: one lookup per single event, one <c>= ANY</c> per batch.</summary>
internal sealed class PostgresSourceOwnership(ApplicationDbContext db) : ISourceOwnership
{
    public Task<long?> OwnerOfAsync(string source, CancellationToken cancellationToken) =>
        db.SensorSources.AsNoTracking()
            .Where(s => s.Source == source)
            .Select(s => (long?)s.SensorId)
            .FirstOrDefaultAsync(cancellationToken);

    public async Task<IReadOnlyDictionary<string, long>> OwnersOfAsync(IReadOnlyCollection<string> sources, CancellationToken cancellationToken)
    {
        var wanted = sources.ToArray();
        return await db.SensorSources.AsNoTracking()
            .Where(s => wanted.Contains(s.Source))
            .ToDictionaryAsync(s => s.Source, s => s.SensorId, StringComparer.Ordinal, cancellationToken);
    }
}
