using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ThreatPlatform.Infrastructure.Persistence.Replica;

/// <summary>
/// /health/ready's view of the read replica: Degraded (still 200) when it is down or lags too much, since the queries
/// then read from the primary and the API serves everything; never Unhealthy.
/// </summary>
internal sealed class ReplicaHealthCheck(ReplicaMonitor monitor) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = await monitor.RefreshAsync(cancellationToken);
        if (!snapshot.Usable)
        {
            return HealthCheckResult.Degraded($"{snapshot.Problem}: queries read from the primary");
        }

        if (snapshot.LagSeconds is not { } lag || lag > monitor.MaxLag.TotalSeconds)
        {
            var behind = snapshot.LagSeconds is { } seconds ? seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "an unknown time";
            return HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"{behind} behind, more than Database:ReplicaMaxLagSeconds ({monitor.MaxLag.TotalSeconds:0}): queries read from the primary"));
        }

        return HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"streaming, {lag:0.0} s behind"));
    }
}
