using ThreatPlatform.Application.Events.IngestSyslog;

namespace ThreatPlatform.WebApi.Syslog;

/// <summary>
/// The sensor a syslog batch is written for, in that batch's scope: <see cref="Auth.CurrentUser"/> answers with it, so the
/// batch handler applies the sensor's ownership, grouping and metrics exactly as for the sensor's API key (there is no
/// request, and no key: the sender's address stood for the sensor).
/// </summary>
public sealed class SyslogCaller
{
    public SyslogSensor? Sensor { get; set; }
}
