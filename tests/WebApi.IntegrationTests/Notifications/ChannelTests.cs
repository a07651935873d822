using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>Channels through the API with the production guard: no network is allowed beyond the public ones.</summary>
public sealed class ChannelTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_webhook_secret_is_made_shown_once_and_never_again()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var created = await admin.CreateChannelOkAsync("WEBHOOK", new { url = "https://203.0.113.10/tp" });
        var id = created.GetProperty("id").GetInt64();
        var read = await admin.GetJsonAsync(NotificationsApi.Channel(id));
        var listed = await admin.GetJsonAsync(NotificationsApi.Channels);

        var secret = created.GetProperty("config").GetProperty("secret").GetString();
        secret.Should().StartWith("whsec_");
        Convert.FromBase64String(secret!["whsec_".Length..]).Length.Should().BeGreaterThanOrEqualTo(24);
        read.GetProperty("config").GetProperty("url").GetString().Should().Be("https://203.0.113.10/tp");
        read.GetRawText().Should().NotContain(secret);
        listed.GetRawText().Should().NotContain(secret);
        read.GetProperty("config").GetProperty("secret").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_patched_webhook_keeps_its_secret_and_does_not_show_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var secret = "whsec_" + Convert.ToBase64String(new byte[32]);
        var created = await admin.CreateChannelOkAsync("WEBHOOK", new { url = "https://203.0.113.10/a", secret });

        var patched = await admin.PatchJsonAsync(NotificationsApi.Channel(created.GetProperty("id").GetInt64()), new { config = new { url = "https://203.0.113.10/b" } });

        ((int)patched.StatusCode).Should().Be(200, await patched.Content.ReadAsStringAsync());
        var body = await patched.Content.ReadAsStringAsync();
        body.Should().Contain("https://203.0.113.10/b").And.NotContain(secret);
        var stored = await factory.WithDbAsync(db => Task.FromResult(db.NotificationChannels.Single(c => c.Id == created.GetProperty("id").GetInt64()).Secret));
        stored.Should().Be(secret);
    }

    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.20.30.40/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    public async Task A_url_that_reaches_an_internal_address_is_refused_naming_config_url(string url)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var webhook = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("hook"), kind = "WEBHOOK", config = new { url } });
        var slack = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("chat"), kind = "SLACK", config = new { url } });

        (await webhook.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.url");
        (await slack.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.url");
    }

    [Fact]
    public async Task A_patch_to_an_internal_url_is_refused_too()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var created = await admin.CreateChannelOkAsync("SLACK", new { url = "https://203.0.113.11/hooks/x" });

        var patched = await admin.PatchJsonAsync(NotificationsApi.Channel(created.GetProperty("id").GetInt64()), new { config = new { url = "http://169.254.169.254/" } });

        (await patched.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.url");
    }

    [Fact]
    public async Task Bad_channel_input_is_a_400_naming_each_field()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var noRecipients = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("mail"), kind = "EMAIL", config = new { to = Array.Empty<string>() } });
        var badAddress = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("mail"), kind = "EMAIL", config = new { to = NotificationsApi.Of("not an address") } });
        var badKind = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("x"), kind = "PAGER", config = new { } });
        var badSecret = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("hook"), kind = "WEBHOOK", config = new { url = "https://203.0.113.10/", secret = "hunter2" } });
        var ftp = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("hook"), kind = "WEBHOOK", config = new { url = "ftp://files.example.com/" } });

        (await noRecipients.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.to");
        (await badAddress.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.to");
        (await badKind.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("kind");
        (await badSecret.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.secret");
        (await ftp.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.url");
    }

    [Fact]
    public async Task A_second_channel_with_the_same_name_is_a_409()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var name = NotificationsApi.NewName("mail");
        await admin.CreateChannelOkAsync("EMAIL", new { to = NotificationsApi.Of("soc@example.org") }, name);

        var again = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = name.ToUpperInvariant(), kind = "EMAIL", config = new { to = NotificationsApi.Of("soc@example.org") } });

        (await again.ShouldBeProblemAsync(409)).ErrorFields().Should().Equal("name");
    }

    [Fact]
    public async Task Analysts_cannot_reach_notification_settings()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var channels = await analyst.GetAsync(NotificationsApi.Channels);
        var rules = await analyst.GetAsync(NotificationsApi.Rules);
        var deliveries = await analyst.GetAsync(NotificationsApi.Deliveries);

        ((int)channels.StatusCode).Should().Be(403);
        ((int)rules.StatusCode).Should().Be(403);
        ((int)deliveries.StatusCode).Should().Be(403);
    }

    [Fact]
    public async Task A_rule_needs_known_events_and_existing_channels()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var unknownEvent = await admin.PostJsonAsync(NotificationsApi.Rules, new { name = NotificationsApi.NewName("rule"), events = NotificationsApi.Of("alert.deleted"), channels = NotificationsApi.Of(1) });
        var unknownChannel = await admin.PostJsonAsync(NotificationsApi.Rules, new { name = NotificationsApi.NewName("rule"), events = NotificationsApi.Of("alert.created"), channels = NotificationsApi.Of(999_999) });
        var badSeverity = await admin.PostJsonAsync(NotificationsApi.Rules, new { name = NotificationsApi.NewName("rule"), events = NotificationsApi.Of("alert.created"), min_severity = "URGENT", channels = NotificationsApi.Of(1) });

        (await unknownEvent.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("events");
        (await unknownChannel.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("channels");
        (await badSeverity.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("min_severity");
    }

    [Fact]
    public async Task A_channel_a_rule_uses_cannot_be_deleted()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var channel = await admin.CreateChannelOkAsync("EMAIL", new { to = NotificationsApi.Of("soc@example.org") });
        var channelId = channel.GetProperty("id").GetInt64();
        var rule = await admin.CreateRuleOkAsync([channelId], "any-source");

        var refused = await admin.DeleteAsync(NotificationsApi.Channel(channelId));
        var ruleGone = await admin.DeleteAsync(NotificationsApi.Rule(rule.GetProperty("id").GetInt64()));
        var deleted = await admin.DeleteAsync(NotificationsApi.Channel(channelId));

        await refused.ShouldBeProblemAsync(409);
        ((int)ruleGone.StatusCode).Should().Be(204);
        ((int)deleted.StatusCode).Should().Be(204);
    }
}
