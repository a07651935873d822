using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>
/// Sources by name: the owning sensor, or null for a source no sensor owns (<see cref="CachedSourceOwnership"/>).
/// Emptied by any notification on <see cref="NotifyChannels.ApiKeys"/> but a key's: the payload names the sensor whose
/// state or sources changed, not the sources it had or has now.
/// </summary>
internal sealed class SourceOwnerCache(TimeProvider clock) : ICacheSubscriber
{
    public InvalidatedCache<string, long?> Owners { get; } = new(clock, Caches.TimeToLive, maxEntries: 100_000);

    public string Channel => NotifyChannels.ApiKeys;

    /// <summary>Any sensor or source added, changed or deleted.</summary>
    public string? PayloadOf(object entity, EntityState state) => SensorPayload(entity);

    public void Apply(string payload)
    {
        if (!payload.StartsWith(NotifyChannels.KeyPayloadPrefix, StringComparison.Ordinal))
        {
            Owners.Clear();
        }
    }

    public void Trust() => Owners.Trust();

    public void Distrust() => Owners.Distrust();

    /// <summary>The payload the database sends for a change to a sensor or to one of its sources; null for any other entity.</summary>
    internal static string? SensorPayload(object entity) => entity switch
    {
        Sensor sensor => NotifyChannels.SensorPayloadPrefix + sensor.Id.ToString(CultureInfo.InvariantCulture),
        SensorSource source => NotifyChannels.SensorPayloadPrefix + source.SensorId.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
