using System.Net;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.UnitTests.Alerts;

/// <summary>The grouping rule in the entity: what folding an event does to an alert, and what may fold.</summary>
public sealed class AlertGroupingTests
{
    private const long Sensor = 4;
    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly SlaPolicy Sla = SlaPolicy.Default;

    private static SecurityEvent Severe(Severity severity = Severity.High, DateTimeOffset? occurredAt = null, bool groups = true, long? sensor = Sensor, string type = "port_scan") =>
        SecurityEvent.Ingest("fw-1", type, severity, "probe", occurredAt ?? At, IPAddress.Parse("10.0.0.1"), null, null, null, null, sensor, At, groups: groups);

    [Fact]
    public void A_grouping_sensors_event_raises_a_collecting_alert_with_one_occurrence()
    {
        var alert = Alert.RaiseFor(Severe(occurredAt: At.AddMinutes(-3)), At, Sla)!;

        alert.FoldsEvents.Should().BeTrue();
        alert.Occurrences.Should().Be(1);
        (alert.FirstSeenAt, alert.LastSeenAt).Should().Be((At.AddMinutes(-3), At.AddMinutes(-3)));
        alert.Fingerprint.Should().Be(new AlertFingerprint(Sensor, "fw-1", "port_scan", IPAddress.Parse("10.0.0.1"), null));
    }

    [Fact]
    public void Events_of_a_user_or_of_a_sensor_without_grouping_raise_alerts_that_collect_nothing()
    {
        Alert.RaiseFor(Severe(sensor: null), At, Sla)!.FoldsEvents.Should().BeFalse();
        Alert.RaiseFor(Severe(groups: false), At, Sla)!.FoldsEvents.Should().BeFalse();
    }

    [Fact]
    public void Folding_counts_widens_the_seen_times_and_names_the_alert_on_the_event()
    {
        var alert = Alert.RaiseFor(Severe(), At, Sla)!;
        var earlier = Severe(occurredAt: At.AddMinutes(-10));
        var later = Severe(occurredAt: At.AddMinutes(20));

        alert.Fold(earlier, At.AddMinutes(1), Sla);
        alert.Fold(later, At.AddMinutes(2), Sla);

        alert.Occurrences.Should().Be(3);
        (alert.FirstSeenAt, alert.LastSeenAt).Should().Be((At.AddMinutes(-10), At.AddMinutes(20)));
        alert.UpdatedAt.Should().Be(At.AddMinutes(2));
        alert.History.Should().BeEmpty("same severity: nothing for the history");
        alert.Severity.Should().Be(Severity.High);
        earlier.FoldedIntoAlertId.Should().Be(alert.Id);
        Alert.RaiseFor(earlier, At, Sla).Should().BeNull("a folded event raises nothing more");
    }

    [Fact]
    public void A_more_severe_event_escalates_once_and_pulls_the_due_times_in()
    {
        var alert = Alert.RaiseFor(Severe(), At, Sla)!;
        var escalatedAt = At.AddMinutes(30);

        alert.Fold(Severe(Severity.Critical), escalatedAt, Sla);
        alert.Fold(Severe(Severity.High), escalatedAt.AddMinutes(1), Sla);

        alert.Severity.Should().Be(Severity.Critical);
        var entry = alert.History.Should().ContainSingle().Subject;
        (entry.Action, entry.FromSeverity, entry.ToSeverity, entry.ChangedById).Should().Be((AlertHistoryAction.Escalated, Severity.High, Severity.Critical, (long?)null));
        alert.AckDueAt.Should().Be(escalatedAt.AddMinutes(15), "15 minutes from the escalation is before HIGH's hour from raising");
        alert.ResolveDueAt.Should().Be(escalatedAt.AddHours(4), "4 hours from the escalation is before HIGH's 24 from raising");
    }

    [Fact]
    public void Escalation_keeps_a_due_time_that_is_already_earlier()
    {
        var alert = Alert.RaiseFor(Severe(), At, Sla)!;

        alert.Fold(Severe(Severity.Critical), At.AddHours(23), Sla);

        alert.AckDueAt.Should().Be(At.AddHours(1), "the hour from raising ends before 15 minutes from now");
        alert.ResolveDueAt.Should().Be(At.AddHours(24));
    }

    [Fact]
    public void Closing_ends_collecting_and_reopening_does_not_restore_it()
    {
        var alert = Alert.RaiseFor(Severe(), At, Sla)!;

        alert.ChangeStatus(AlertStatus.Acknowledged, 1, null, At);
        alert.FoldsEvents.Should().BeTrue("acknowledged is not closed");
        alert.ChangeStatus(AlertStatus.FalsePositive, 1, null, At);
        alert.FoldsEvents.Should().BeFalse();
        alert.ChangeStatus(AlertStatus.Open, 1, null, At);
        alert.FoldsEvents.Should().BeFalse();
        alert.Invoking(a => a.Fold(Severe(), At, Sla)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Only_a_severe_event_with_the_alerts_fingerprint_folds()
    {
        var alert = Alert.RaiseFor(Severe(), At, Sla)!;

        alert.Invoking(a => a.Fold(Severe(Severity.Medium), At, Sla)).Should().Throw<InvalidOperationException>();
        alert.Invoking(a => a.Fold(Severe(type: "brute_force"), At, Sla)).Should().Throw<InvalidOperationException>();
        alert.Invoking(a => a.Fold(Severe(sensor: Sensor + 1), At, Sla)).Should().Throw<InvalidOperationException>();
        alert.Invoking(a => a.Fold(Severe(groups: false), At, Sla)).Should().Throw<InvalidOperationException>();
        alert.Occurrences.Should().Be(1);
    }
}
