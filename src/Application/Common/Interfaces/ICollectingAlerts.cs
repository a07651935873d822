using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Grouping's lookup: the alert that collects events with a fingerprint (open for grouping), tracked by the request's
/// <see cref="IApplicationDbContext"/> and locked until its next save ends (the transaction that save commits begins
/// here), so events folding into one alert at once take turns.
/// </summary>
public interface ICollectingAlerts
{
    /// <summary>The collecting alert of <paramref name="fingerprint"/> for detection rule <paramref name="ruleId"/> (null: the severity's alerts); null when there is none.</summary>
    Task<Alert?> FindAsync(AlertFingerprint fingerprint, long? ruleId, CancellationToken cancellationToken);
}
