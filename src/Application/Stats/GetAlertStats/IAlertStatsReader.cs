using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Stats.GetAlertStats;

/// <summary>
/// The stats' aggregates in one round trip. Implemented in raw SQL: percentile_cont, generate_series and FILTER
/// aggregates have no LINQ translation, and EF would make one round trip per figure.
/// </summary>
public interface IAlertStatsReader
{
    Task<AlertStatsFigures> ReadAsync(AlertStatsWindow window, CancellationToken cancellationToken);
}

/// <summary>Alerts created in [From, To), bucketed by <see cref="Bucket"/> (UTC), with the <see cref="TopSources"/> busiest sources.</summary>
public sealed record AlertStatsWindow(DateTimeOffset From, DateTimeOffset To, StatsBucket Bucket, int TopSources);

/// <summary>How many alerts of one status and severity.</summary>
public sealed record StatusSeverityCount(AlertStatus Status, Severity Severity, long Count);

public sealed record AlertStatsFigures(
    IReadOnlyList<StatusSeverityCount> Counts,
    IReadOnlyList<BucketCount> OverTime,
    IReadOnlyList<SourceCount> TopSources,
    DurationPercentiles TimeToAcknowledge,
    DurationPercentiles TimeToResolve);
