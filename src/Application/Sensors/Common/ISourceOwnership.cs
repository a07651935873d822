namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>Which sensor owns an event source (sensor_sources: one primary-key probe per source).</summary>
public interface ISourceOwnership
{
    /// <summary>The sensor owning <paramref name="source"/>, or null when no sensor owns it.</summary>
    Task<long?> OwnerOfAsync(string source, CancellationToken cancellationToken);

    /// <summary>The owner of each of <paramref name="sources"/> that has one, in one query (batch ingest).</summary>
    Task<IReadOnlyDictionary<string, long>> OwnersOfAsync(IReadOnlyCollection<string> sources, CancellationToken cancellationToken);
}
