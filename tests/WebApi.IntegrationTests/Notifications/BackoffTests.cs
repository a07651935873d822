using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>A test host whose dispatcher runs on a clock the test moves, and gives up after three attempts.</summary>
public sealed class ThreeAttemptsFakeClockFactory : NotificationsApiFactory
{
    public ThreeAttemptsFakeClockFactory()
    {
        MaxAttempts = 3;
        WithFakeClock();
    }
}

/// <summary>Backoff, DEAD and the admin's retry, on a fake clock: the receiver is down until the test says otherwise.</summary>
public sealed class BackoffTests(ThreeAttemptsFakeClockFactory factory) : IClassFixture<ThreeAttemptsFakeClockFactory>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Down = true;
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_failing_delivery_backs_off_goes_dead_after_the_limit_and_an_admin_retry_sends_it_under_the_same_id()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NotificationsApi.NewName("backoff");
        var channel = await admin.CreateChannelOkAsync("WEBHOOK", new { url = _receiver.Url });
        _receiver.Secret = channel.GetProperty("config").GetProperty("secret").GetString();
        await admin.CreateRuleOkAsync([channel.GetProperty("id").GetInt64()], source);
        var clock = factory.Clock!;

        var alert = await admin.RaiseAlertAsync("CRITICAL", source);

        var failed = (await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d.Count == 1 && d[0].GetProperty("status").GetString() == "FAILED",
            "the first attempt FAILED")).Single();
        failed.GetProperty("attempts").GetInt32().Should().Be(1);
        failed.GetProperty("next_attempt_at").GetDateTimeOffset().Should().BeAfter(clock.GetUtcNow(), "the retry waits for its backoff");
        failed.GetProperty("last_error").GetString().Should().Contain("503");

        clock.Advance(TimeSpan.FromSeconds(3));
        await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d[0].GetProperty("attempts").GetInt32() == 2 && d[0].GetProperty("status").GetString() == "FAILED",
            "the second attempt FAILED");
        clock.Advance(TimeSpan.FromSeconds(3));
        var dead = (await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d[0].GetProperty("status").GetString() == "DEAD",
            "the third attempt made it DEAD")).Single();
        dead.GetProperty("attempts").GetInt32().Should().Be(3);

        _receiver.Down = false;
        var retried = await admin.PostAsync(NotificationsApi.Retry(dead.GetProperty("id").GetInt64()), null);
        ((int)retried.StatusCode).Should().Be(202);
        var sent = (await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d[0].GetProperty("status").GetString() == "SENT",
            "the retried delivery is SENT")).Single();

        var id = sent.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _receiver.Received.Should().HaveCount(4).And.OnlyContain(r => r.Id == id && r.SignatureValid);
    }

    [Fact]
    public async Task Only_a_failed_or_dead_delivery_can_be_retried()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var deliveryId = await factory.WithDbAsync(db => db.Database
            .SqlQuery<long>($"INSERT INTO notification_deliveries (event, status, attempts, next_attempt_at, created_at, queued_at, sent_at) VALUES ('test', 2, 1, now(), now(), now(), now()) RETURNING id AS \"Value\"")
            .ToListAsync());

        var refused = await admin.PostAsync(NotificationsApi.Retry(deliveryId.Single()), null);
        var unknown = await admin.PostAsync(NotificationsApi.Retry(999_999_999), null);

        await refused.ShouldBeProblemAsync(409);
        await unknown.ShouldBeProblemAsync(404);
    }
}
