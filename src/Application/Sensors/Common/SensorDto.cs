using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>
/// A sensor as admins see it. <see cref="LastSeenAt"/> and <see cref="EventsIngested"/> are derived from the events on
/// read (served by ix_events_sensor_id_timestamp), so ingest never updates a hot counter row.
/// </summary>
public sealed record SensorDto(
    long Id,
    string Name,
    SensorKind Kind,
    string Description,
    IReadOnlyList<string> Sources,
    bool IsActive,
    bool Grouping,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSeenAt,
    long EventsIngested,
    EventFormat Format,
    IReadOnlyList<string> SyslogNetworks,
    [property: System.ComponentModel.Description("The Sigma logsource of the sensor's events ({product, category, service}, each optional); null when none is set. A detection rule naming a logsource field applies to the sensor's events only when the sensor's field equals it.")]
    Rules.Common.LogsourceDto? Logsource = null);

public static class SensorQueries
{
    /// <summary>Sensors with their sources and event figures, in one query.</summary>
    public static IQueryable<SensorDto> ProjectToDto(this IQueryable<Sensor> sensors, IQueryable<SecurityEvent> events) =>
        sensors.Select(s => new SensorDto(
            s.Id,
            s.Name,
            s.Kind,
            s.Description,
            s.Sources.OrderBy(x => x.Source).Select(x => x.Source).ToList(),
            s.IsActive,
            s.Grouping,
            s.CreatedAt,
            events.Where(e => e.SensorId == s.Id).Max(e => (DateTimeOffset?)e.Timestamp),
            events.LongCount(e => e.SensorId == s.Id),
            s.Format,
            s.SyslogNetworks.ToList(),
            s.LogsourceProduct == null && s.LogsourceCategory == null && s.LogsourceService == null
                ? null
                : new Rules.Common.LogsourceDto(s.LogsourceProduct, s.LogsourceCategory, s.LogsourceService)));
}
