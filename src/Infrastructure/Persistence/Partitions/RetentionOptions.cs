using System.ComponentModel.DataAnnotations;

namespace ThreatPlatform.Infrastructure.Persistence.Partitions;

/// <summary>Event partitions and retention (<see cref="EventPartitionMaintenance"/>), validated at start.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>
    /// Events older than this many days are dropped, a whole month partition at a time once the month's every event is
    /// past it (so an event lives between this many days and one month more). Null (the default): kept forever. Alerts
    /// outlive their events: they keep their snapshot and show the event as expired.
    /// </summary>
    [Range(1, 36_500)]
    public int? EventsDays { get; set; }

    /// <summary>Month partitions kept ready after the current month.</summary>
    [Range(1, 120)]
    public int PartitionsAhead { get; set; } = 3;

    /// <summary>How often the job runs (it also runs at start), in seconds.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int IntervalSeconds { get; set; } = 3600;

    /// <summary>The keys of a dropped month's events are deleted this many events per transaction before the drop.</summary>
    [Range(100, 1_000_000)]
    public int KeyDeleteBatchSize { get; set; } = 10_000;
}
