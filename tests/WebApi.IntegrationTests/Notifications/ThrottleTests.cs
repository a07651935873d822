using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>A test host whose dispatcher runs on a clock the test moves.</summary>
public sealed class FakeClockNotificationsFactory : NotificationsApiFactory
{
    public FakeClockNotificationsFactory() => WithFakeClock();
}

public sealed class ThrottleTests(FakeClockNotificationsFactory factory) : IClassFixture<FakeClockNotificationsFactory>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Beyond_the_throttle_the_rest_of_the_window_goes_out_as_one_digest_when_it_ends()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NotificationsApi.NewName("flood");
        var channel = await admin.CreateChannelOkAsync("WEBHOOK", new { url = _receiver.Url });
        _receiver.Secret = channel.GetProperty("config").GetProperty("secret").GetString();
        var rule = await admin.CreateRuleOkAsync([channel.GetProperty("id").GetInt64()], source, throttle: new { max = 2, per_seconds = 86_400 });
        var ruleId = rule.GetProperty("id").GetInt64();

        for (var i = 0; i < 5; i++)
        {
            await admin.RaiseAlertAsync("CRITICAL", source, $"flood-{i}");
        }

        var early = await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"rule={ruleId}"),
            d => d.Count(x => x.GetProperty("status").GetString() == "SENT") == 2,
            "the first two are SENT at once");
        early.Count(x => x.GetProperty("status").GetString() == "PENDING").Should().Be(3, "the other three wait for the digest");

        factory.Clock!.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"rule={ruleId}"),
            d => d.All(x => x.GetProperty("status").GetString() == "SENT"),
            "the digest is SENT");
        var digests = _receiver.Received.Where(r => r.Body.Contains("alert.digest", StringComparison.Ordinal)).ToList();
        digests.Should().ContainSingle();
        digests[0].SignatureValid.Should().BeTrue();
        using var body = JsonDocument.Parse(digests[0].Body);
        body.RootElement.GetProperty("data").GetProperty("alerts").GetArrayLength().Should().Be(3);
        _receiver.Received.Count(r => r.Body.Contains(source, StringComparison.Ordinal)).Should().Be(3, "two single notifications and one digest");
    }
}
