using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.UnitTests.Events;

public sealed class SecurityEventTests
{
    [Fact]
    public void Ingesting_an_event_raises_EventIngested_for_it()
    {
        var securityEvent = EventBuilder.Ingested();

        securityEvent.DomainEvents.Should().ContainSingle()
            .Which.Should().BeOfType<EventIngested>()
            .Which.Event.Should().BeSameAs(securityEvent);
    }

    [Fact]
    public void Occurred_at_defaults_to_the_received_time_and_an_empty_external_id_is_none()
    {
        var securityEvent = SecurityEvent.Ingest("fw", "scan", Severity.Low, null, null, null, null, null, "", null, null, EventBuilder.Now);

        securityEvent.OccurredAt.Should().Be(EventBuilder.Now);
        securityEvent.Timestamp.Should().Be(EventBuilder.Now);
        securityEvent.ExternalId.Should().BeNull();
        securityEvent.Description.Should().BeEmpty();
    }

    [Theory]
    [InlineData(Severity.Low, false)]
    [InlineData(Severity.Medium, false)]
    [InlineData(Severity.High, true)]
    [InlineData(Severity.Critical, true)]
    public void Only_high_and_critical_raise_alerts(Severity severity, bool raises)
    {
        severity.RaisesAlert().Should().Be(raises);
        SeverityRules.AlertingSeverities.Contains(severity).Should().Be(raises);
    }

    [Fact]
    public void Severity_ranks_order_low_to_critical()
    {
        Enum.GetValues<Severity>().Order().Should().Equal(Severity.Low, Severity.Medium, Severity.High, Severity.Critical);
    }

    [Fact]
    public void A_severe_event_raises_an_open_alert_that_snapshots_its_fields()
    {
        var securityEvent = EventBuilder.Ingested(Severity.Critical, "edr-9");

        var alert = Alert.RaiseFor(securityEvent, EventBuilder.Now)!;

        alert.Status.Should().Be(AlertStatus.Open);
        alert.Severity.Should().Be(Severity.Critical);
        alert.Source.Should().Be("edr-9");
        alert.EventType.Should().Be("port_scan");
        alert.Description.Should().Be("probe");
        alert.CreatedAt.Should().Be(EventBuilder.Now);
        alert.History.Should().BeEmpty();
        securityEvent.Alert.Should().BeSameAs(alert);
    }

    [Theory]
    [InlineData(Severity.Low)]
    [InlineData(Severity.Medium)]
    public void Low_and_medium_events_raise_no_alert(Severity severity)
    {
        var securityEvent = EventBuilder.Ingested(severity);

        var alert = Alert.RaiseFor(securityEvent, EventBuilder.Now);

        alert.Should().BeNull();
        securityEvent.Alert.Should().BeNull();
    }

    [Fact]
    public void An_event_raises_at_most_one_alert()
    {
        var securityEvent = EventBuilder.Ingested(Severity.High);
        var first = Alert.RaiseFor(securityEvent, EventBuilder.Now);

        var again = Alert.RaiseFor(securityEvent, EventBuilder.Now);

        again.Should().BeNull();
        securityEvent.Alert.Should().BeSameAs(first);
    }
}
