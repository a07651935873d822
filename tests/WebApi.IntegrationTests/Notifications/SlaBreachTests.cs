using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>An SLA breach is noticed by the dispatcher's sweep on the clock the test moves, and notified once.</summary>
public sealed class SlaBreachTests(FakeClockNotificationsFactory factory) : IClassFixture<FakeClockNotificationsFactory>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task An_alert_not_acknowledged_in_time_is_notified_once_as_sla_breached()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NotificationsApi.NewName("late");
        var channel = await admin.CreateChannelOkAsync("WEBHOOK", new { url = _receiver.Url });
        await admin.CreateRuleOkAsync([channel.GetProperty("id").GetInt64()], source, ["alert.sla_breached"]);
        var alert = await admin.RaiseAlertAsync("HIGH", source);
        var onTime = await admin.DeliveriesAsync($"alert={alert}");

        factory.Clock!.Advance(TimeSpan.FromMinutes(61));

        var breached = await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d.Count == 1 && d[0].GetProperty("status").GetString() == "SENT",
            "the breach is notified");
        onTime.Should().BeEmpty("the HIGH alert had an hour to be acknowledged");
        breached[0].GetProperty("event").GetString().Should().Be("alert.sla_breached");

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await NotificationsApi.EventuallyAsync(
            () => factory.WithDbAsync(db => Task.FromResult(db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM alert_sla_breaches").Single())),
            n => n >= 1,
            "the breach is recorded");
        (await admin.DeliveriesAsync($"alert={alert}")).Should().ContainSingle("a breach is notified once, however often the sweep runs");
    }
}
