using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.UnitTests.Notifications;

public sealed class NotificationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static NotificationRuleSpec Spec(
        IReadOnlyList<string>? events = null, IReadOnlyList<long>? channels = null, Throttle? throttle = null, IReadOnlyList<string>? techniques = null) =>
        new("critical", null, events ?? [NotificationEvents.Created], null, null, null, techniques, channels ?? [1], throttle);

    [Fact]
    public void A_new_rule_is_active_and_selects_high_and_above_by_default()
    {
        var rule = NotificationRule.Create(Spec(), Now);

        rule.IsActive.Should().BeTrue();
        rule.MinSeverity.Should().Be(Severity.High);
        rule.ThrottleMax.Should().BeNull();
    }

    [Fact]
    public void A_rule_without_events_or_channels_is_refused_naming_the_field()
    {
        var noEvents = () => NotificationRule.Create(Spec(events: []), Now);
        var unknownEvent = () => NotificationRule.Create(Spec(events: ["alert.deleted"]), Now);
        var noChannels = () => NotificationRule.Create(Spec(channels: []), Now);

        noEvents.Should().Throw<Invalid>().Which.Member.Should().Be("Events");
        unknownEvent.Should().Throw<Invalid>().Which.Member.Should().Be("Events");
        noChannels.Should().Throw<Invalid>().Which.Member.Should().Be("Channels");
    }

    [Fact]
    public void A_rule_keeps_techniques_upper_case_and_each_once()
    {
        var rule = NotificationRule.Create(Spec(techniques: ["t1059", "T1059", "T1566.001"]), Now);

        rule.Techniques.Should().Equal("T1059", "T1566.001");
    }

    [Fact]
    public void A_throttle_can_be_set_and_taken_off_again()
    {
        var rule = NotificationRule.Create(Spec(throttle: new Throttle(5, 600)), Now);
        var throttled = (rule.ThrottleMax, rule.ThrottlePerSeconds);

        rule.Apply(new NotificationRuleSpec(null, null, null, null, null, null, null, null, Throttle.None));

        throttled.Should().Be((5, 600));
        rule.ThrottleMax.Should().BeNull();
        rule.ThrottlePerSeconds.Should().BeNull();
    }

    [Fact]
    public void A_webhook_channel_needs_a_secret_and_keeps_it_through_a_config_change()
    {
        var missing = () => NotificationChannel.Create("soar", ChannelKind.Webhook, null, ChannelConfig.ForUrl("https://203.0.113.1/"), null, Now);
        var channel = NotificationChannel.Create("soar", ChannelKind.Webhook, null, ChannelConfig.ForUrl("https://203.0.113.1/"), Secret, Now);

        channel.Update(null, null, ChannelConfig.ForUrl("https://203.0.113.2/"), null);

        missing.Should().Throw<ArgumentException>();
        channel.Secret.Should().Be(Secret);
        channel.Config.Url.Should().Be("https://203.0.113.2/");
    }

    [Fact]
    public void Only_a_webhook_channel_holds_a_secret()
    {
        var mail = NotificationChannel.Create("mail", ChannelKind.Email, null, ChannelConfig.Email(["soc@example.org"], null), Secret, Now);

        mail.Secret.Should().BeNull();
    }

    [Fact]
    public void A_pending_delivery_cannot_be_retried()
    {
        var delivery = NotificationDelivery.Test(1, Now);

        var retry = () => delivery.Retry(Now);

        retry.Should().Throw<Conflict>();
        delivery.Status.Should().Be(DeliveryStatus.Pending);
    }
}
