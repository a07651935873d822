using ThreatPlatform.Application.Sensors.Common;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>
/// The single-event ingest's ownership check from <see cref="SourceOwnerCache"/> while it is trusted: every change
/// to sensor_sources or to a sensor's state NOTIFYs (migration Sensors) and empties it, so a source claimed or freed
/// is seen within the notification's delay. Batches ask the database (one <c>= ANY</c> for the whole batch).
/// </summary>
internal sealed class CachedSourceOwnership(PostgresSourceOwnership database, SourceOwnerCache cache) : ISourceOwnership
{
    public async Task<long?> OwnerOfAsync(string source, CancellationToken cancellationToken)
    {
        if (cache.Owners.TryGet(source, out var owner))
        {
            return owner;
        }

        var generation = cache.Owners.Generation;
        owner = await database.OwnerOfAsync(source, cancellationToken);
        cache.Owners.Store(source, owner, generation);
        return owner;
    }

    public Task<IReadOnlyDictionary<string, long>> OwnersOfAsync(IReadOnlyCollection<string> sources, CancellationToken cancellationToken) =>
        database.OwnersOfAsync(sources, cancellationToken);
}
