namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>
/// The language a sensor reports in: the platform's own event JSON, or a standard format whose records are mapped onto
/// the event's fields (API.md, "Standard formats and syslog").
/// </summary>
public enum EventFormat : short
{
    /// <summary>The event JSON of POST /api/events/.</summary>
    Native = 0,

    /// <summary>ArcSight Common Event Format, on its own or inside a syslog message.</summary>
    Cef = 1,

    /// <summary>RFC 5424 or RFC 3164 syslog, told apart per message.</summary>
    Syslog = 2,

    /// <summary>Suricata's EVE JSON, one record per line.</summary>
    SuricataEve = 3,

    /// <summary>Elastic Common Schema JSON, dotted or nested field names.</summary>
    Ecs = 4,

    /// <summary>Open Cybersecurity Schema Framework JSON.</summary>
    Ocsf = 5,
}
