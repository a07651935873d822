using FluentValidation;
using Severity = ThreatPlatform.Domain.SecurityEvents.Severity;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;

namespace ThreatPlatform.Application.Stats.GetAlertStats;

/// <summary>The width of one over_time bucket.</summary>
public enum StatsBucket : short
{
    Hour = 1,
    Day = 2,
}

/// <summary>
/// GET /api/stats/alerts/: figures over the alerts created in [from, to). Absent bounds default to the last 7 days
/// (to = now); an absent bucket is an hour for a window of up to 2 days, else a day.
/// </summary>
public sealed record GetAlertStatsQuery(DateTimeOffset? From, DateTimeOffset? To, StatsBucket? Bucket) : IQuery<AlertStatsDto>
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);
    public static readonly TimeSpan HourlyUpTo = TimeSpan.FromDays(2);

    /// <summary>The window and bucket this query asks for, its defaults filled in against <paramref name="now"/>.</summary>
    public (DateTimeOffset From, DateTimeOffset To, StatsBucket Bucket) Resolve(DateTimeOffset now)
    {
        var to = To ?? now;
        var from = From ?? to - DefaultWindow;
        return (from, to, Bucket ?? (to - from <= HourlyUpTo ? StatsBucket.Hour : StatsBucket.Day));
    }
}

public sealed class GetAlertStatsQueryValidator : AbstractValidator<GetAlertStatsQuery>
{
    public GetAlertStatsQueryValidator(TimeProvider time)
    {
        RuleFor(q => q.From)
            .Must((q, _) => q.Resolve(time.GetUtcNow()) is var w && w.From < w.To)
            .WithMessage("from must be before to (to defaults to now).")
            .Must((q, _) => q.Resolve(time.GetUtcNow()) is var w && w.To - w.From <= GetAlertStatsQuery.MaxWindow)
            .WithMessage($"from and to may be at most {GetAlertStatsQuery.MaxWindow.TotalDays:0} days apart.");
    }
}

/// <summary>Alert figures over a window, every status and severity present (zeros included), keyed by wire name.</summary>
public sealed record AlertStatsDto(
    DateTimeOffset From,
    DateTimeOffset To,
    StatsBucket Bucket,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyDictionary<string, long> BySeverity,
    IReadOnlyList<BucketCount> OverTime,
    IReadOnlyList<SourceCount> TopSources,
    DurationPercentiles MttaSeconds,
    DurationPercentiles MttrSeconds,
    long SlaBreached);

public sealed record BucketCount(DateTimeOffset Start, long Count);

public sealed record SourceCount(string Source, long Count);

/// <summary>Median and 90th percentile in seconds (interpolated, as percentile_cont); null when no alert got there.</summary>
public sealed record DurationPercentiles(double? Median, double? P90);

public sealed class GetAlertStatsQueryHandler(IAlertStatsReader reader, IApplicationReadDbContext db, TimeProvider time)
    : IQueryHandler<GetAlertStatsQuery, AlertStatsDto>
{
    public const int TopSourceCount = 10;

    public async ValueTask<AlertStatsDto> Handle(GetAlertStatsQuery query, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (from, to, bucket) = query.Resolve(now);
        var figures = await reader.ReadAsync(new AlertStatsWindow(from, to, bucket, TopSourceCount), cancellationToken);

        // The SLA rule as the alert list's sla_breached filter applies it (the same expression, its partial indexes).
        var breached = await db.Alerts.AsNoTracking()
            .Where(a => a.CreatedAt >= from && a.CreatedAt < to)
            .Where(SlaBreach.At(now))
            .LongCountAsync(cancellationToken);

        return new AlertStatsDto(
            from,
            to,
            bucket,
            Enum.GetValues<AlertStatus>().ToDictionary(
                s => s.ToWire(), s => figures.Counts.Where(c => c.Status == s).Sum(c => c.Count)),
            Enum.GetValues<Severity>().ToDictionary(
                s => s.ToWire(), s => figures.Counts.Where(c => c.Severity == s).Sum(c => c.Count)),
            figures.OverTime,
            figures.TopSources,
            figures.TimeToAcknowledge,
            figures.TimeToResolve,
            SlaBreached: breached);
    }
}
