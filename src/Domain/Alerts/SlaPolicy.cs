using System.Linq.Expressions;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.Alerts;

/// <summary>How long a SOC has, for an alert of one severity, to acknowledge it and to close it.</summary>
public sealed record SlaTarget(TimeSpan Acknowledge, TimeSpan Resolve);

/// <summary>
/// The SLA targets per severity (settings), and the due times they give an alert raised at a given moment. Both the
/// single-event path (<see cref="Alert.RaiseFor"/>) and batch ingest ask this, so they set the same due times.
/// </summary>
public sealed class SlaPolicy(IReadOnlyDictionary<Severity, SlaTarget> targets)
{
    /// <summary>API.md's defaults: CRITICAL 15 min / 4 h, HIGH 1 h / 24 h; no target for the others.</summary>
    public static SlaPolicy Default { get; } = new(new Dictionary<Severity, SlaTarget>
    {
        [Severity.Critical] = new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(4)),
        [Severity.High] = new(TimeSpan.FromHours(1), TimeSpan.FromHours(24)),
    });

    /// <summary>No targets: alerts get no due times.</summary>
    public static SlaPolicy None { get; } = new(new Dictionary<Severity, SlaTarget>());

    public IReadOnlyDictionary<Severity, SlaTarget> Targets { get; } = targets;

    /// <summary>When an alert of <paramref name="severity"/> raised at <paramref name="raisedAt"/> is due to be acknowledged and closed.</summary>
    public SlaDueTimes DueTimes(Severity severity, DateTimeOffset raisedAt) =>
        Targets.TryGetValue(severity, out var target)
            ? new SlaDueTimes(raisedAt + target.Acknowledge, raisedAt + target.Resolve)
            : new SlaDueTimes(null, null);
}

/// <summary>An alert's due times; null where its severity has no target.</summary>
public sealed record SlaDueTimes(DateTimeOffset? AckDueAt, DateTimeOffset? ResolveDueAt);

/// <summary>
/// The breach rule, in one place, in both forms: in memory (for what the API shows) and as a predicate over the alert's
/// columns (for the sla_breached filter). A step is breached when its due time passed before it happened: done late,
/// or still not done and now past due.
/// </summary>
public static class SlaBreach
{
    public static bool IsBreached(
        DateTimeOffset? ackDueAt,
        DateTimeOffset? resolveDueAt,
        DateTimeOffset? acknowledgedAt,
        DateTimeOffset? closedAt,
        DateTimeOffset now) =>
        Late(ackDueAt, acknowledgedAt, now) || Late(resolveDueAt, closedAt, now);

    /// <summary>
    /// The same rule as SQL: four arms, each served by a partial index (the pending steps past due, and the steps done
    /// late, which the alert flagged when they happened), so the filter is a bitmap OR of small index scans.
    /// </summary>
    public static Expression<Func<Alert, bool>> At(DateTimeOffset now) => a =>
        (a.FirstAcknowledgedAt == null && a.AckDueAt < now)
        || a.AcknowledgedLate
        || (a.ClosedAt == null && a.ResolveDueAt < now)
        || a.ClosedLate;

    /// <summary>Not breached: the negation of <see cref="At"/>, written out so that nulls (no target) read as not breached.</summary>
    public static Expression<Func<Alert, bool>> NotAt(DateTimeOffset now) => a =>
        (a.FirstAcknowledgedAt != null || a.AckDueAt == null || a.AckDueAt >= now)
        && !a.AcknowledgedLate
        && (a.ClosedAt != null || a.ResolveDueAt == null || a.ResolveDueAt >= now)
        && !a.ClosedLate;

    private static bool Late(DateTimeOffset? due, DateTimeOffset? doneAt, DateTimeOffset now) =>
        due is { } d && (doneAt ?? now) > d;
}
