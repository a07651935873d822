using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Events;

public sealed class RaiseAlertOnSevereEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private readonly IApplicationDbContext _db = Substitute.For<IApplicationDbContext>();
    private readonly DbSet<Alert> _alerts = Substitute.For<DbSet<Alert>>();
    private readonly FakeTimeProvider _clock = new(Now.AddSeconds(1));

    public RaiseAlertOnSevereEventTests() => _db.Alerts.Returns(_alerts);

    [Theory]
    [InlineData(Severity.High)]
    [InlineData(Severity.Critical)]
    public async Task Severe_event_adds_one_open_alert_for_it(Severity severity)
    {
        var securityEvent = Ingested(severity);

        await Handler().Handle(Notification(securityEvent), CancellationToken.None);

        _alerts.Received(1).Add(Arg.Is<Alert>(a =>
            a.Event == securityEvent && a.Status == AlertStatus.Open && a.Severity == severity && a.CreatedAt == Now.AddSeconds(1)));
        securityEvent.Alert.Should().NotBeNull();
    }

    [Theory]
    [InlineData(Severity.Low)]
    [InlineData(Severity.Medium)]
    public async Task Low_and_medium_events_add_no_alert(Severity severity)
    {
        var securityEvent = Ingested(severity);

        await Handler().Handle(Notification(securityEvent), CancellationToken.None);

        _alerts.DidNotReceive().Add(Arg.Any<Alert>());
        securityEvent.Alert.Should().BeNull();
    }

    [Fact]
    public async Task The_same_notification_twice_adds_the_alert_once()
    {
        var securityEvent = Ingested(Severity.Critical);
        var handler = Handler();

        await handler.Handle(Notification(securityEvent), CancellationToken.None);
        await handler.Handle(Notification(securityEvent), CancellationToken.None);

        _alerts.Received(1).Add(Arg.Any<Alert>());
    }

    [Fact]
    public void EventIngested_is_the_notification_the_handler_listens_for()
    {
        var securityEvent = Ingested(Severity.High);

        var notification = DomainEventNotifications.From(securityEvent.DomainEvents.Single());

        notification.Should().BeOfType<EventIngestedNotification>().Which.DomainEvent.Event.Should().BeSameAs(securityEvent);
    }

    private RaiseAlertOnSevereEvent Handler() => new(_db, Substitute.For<ICollectingAlerts>(), _clock, SlaPolicy.Default);

    private static EventIngestedNotification Notification(SecurityEvent securityEvent) =>
        new((EventIngested)securityEvent.DomainEvents.Single());

    private static SecurityEvent Ingested(Severity severity) =>
        SecurityEvent.Ingest("fw-1", "port_scan", severity, "probe", null, null, null, null, null, 1, null, Now);
}
