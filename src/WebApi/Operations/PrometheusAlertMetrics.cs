using System.Globalization;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.WebApi.Operations;

/// <summary>The alert counters of <see cref="ApiMetrics"/>, labelled by the calling sensor (or <c>user</c>).</summary>
internal sealed class PrometheusAlertMetrics(ICurrentUser caller) : IAlertMetrics
{
    public void Raised(int alerts) => Inc(ApiMetrics.AlertsRaised, alerts);

    public void Grouped(int events) => Inc(ApiMetrics.AlertsGrouped, events);

    private void Inc(Prometheus.Counter counter, int count)
    {
        if (count > 0)
        {
            counter.WithLabels(caller.SensorId?.ToString(CultureInfo.InvariantCulture) ?? ApiMetrics.UserSensorLabel).Inc(count);
        }
    }
}
