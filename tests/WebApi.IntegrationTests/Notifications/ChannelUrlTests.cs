using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>
/// A chat channel's incoming-webhook URL is itself the credential: no answer shows it whole, and a PATCH that leaves it
/// out (or sends back the masked form) keeps it. A WEBHOOK's query string (where receivers put tokens) is masked too.
/// </summary>
public sealed class ChannelUrlTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string SlackToken = "T0AAAAAAA/B0BBBBBBB/XXXXXXXXXXXXXXXXXXXXXXXX";
    private static readonly string SlackUrl = $"https://203.0.113.20/services/{SlackToken}";

    private Task<string?> StoredUrlAsync(long id) =>
        factory.WithDbAsync(async db => (await db.NotificationChannels.AsNoTracking().SingleAsync(c => c.Id == id)).Config.Url);

    [Fact]
    public async Task A_slack_url_is_answered_as_scheme_and_host_only_by_create_get_and_list()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var created = await admin.CreateChannelOkAsync("SLACK", new { url = SlackUrl });
        var id = created.GetProperty("id").GetInt64();
        var read = await admin.GetJsonAsync(NotificationsApi.Channel(id));
        var listed = await admin.GetJsonAsync("/api/notifications/channels/?kind=SLACK&page_size=100");

        created.GetProperty("config").GetProperty("url").GetString().Should().Be("https://203.0.113.20/…");
        read.GetProperty("config").GetProperty("url").GetString().Should().Be("https://203.0.113.20/…");
        listed.GetProperty("results").EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == id)
            .GetProperty("config").GetProperty("url").GetString().Should().Be("https://203.0.113.20/…");
        foreach (var answer in new[] { created, read, listed })
        {
            answer.GetRawText().Should().NotContain("XXXXXXXX").And.NotContain("/services/");
        }

        (await StoredUrlAsync(id)).Should().Be(SlackUrl);
    }

    [Fact]
    public async Task A_webhook_url_shows_its_path_but_not_its_query_token()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var created = await admin.CreateChannelOkAsync("WEBHOOK", new { url = "https://203.0.113.21:8443/soar/hook?token=s3cr3t-t0ken&tenant=7" });
        var read = await admin.GetJsonAsync(NotificationsApi.Channel(created.GetProperty("id").GetInt64()));

        read.GetProperty("config").GetProperty("url").GetString().Should().Be("https://203.0.113.21:8443/soar/hook?…");
        created.GetRawText().Should().NotContain("s3cr3t-t0ken");
        read.GetRawText().Should().NotContain("s3cr3t-t0ken");
    }

    [Fact]
    public async Task A_url_with_user_information_is_refused_naming_config_url()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var webhook = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("hook"), kind = "WEBHOOK", config = new { url = "https://soar:pa55w0rd@203.0.113.22/hook" } });
        var slack = await admin.PostJsonAsync(NotificationsApi.Channels, new { name = NotificationsApi.NewName("chat"), kind = "SLACK", config = new { url = "https://soar:pa55w0rd@203.0.113.22/hook" } });

        var problem = await webhook.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("config.url");
        problem.GetRawText().Should().NotContain("pa55w0rd");
        (await slack.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("config.url");
    }

    [Fact]
    public async Task A_patch_whose_config_leaves_out_the_url_keeps_the_stored_one()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var id = (await admin.CreateChannelOkAsync("SLACK", new { url = SlackUrl })).GetProperty("id").GetInt64();

        var patched = await admin.PatchJsonAsync(NotificationsApi.Channel(id), new { name = NotificationsApi.NewName("renamed"), config = new { } });

        ((int)patched.StatusCode).Should().Be(200, await patched.Content.ReadAsStringAsync());
        (await EventsApi.JsonAsync(patched)).GetProperty("config").GetProperty("url").GetString().Should().Be("https://203.0.113.20/…");
        (await StoredUrlAsync(id)).Should().Be(SlackUrl);
    }

    [Fact]
    public async Task A_patch_that_sends_back_the_masked_url_keeps_the_stored_one()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var created = await admin.CreateChannelOkAsync("SLACK", new { url = SlackUrl });
        var id = created.GetProperty("id").GetInt64();
        var shown = created.GetProperty("config");

        var patched = await admin.PatchJsonAsync(NotificationsApi.Channel(id), new { is_active = false, config = JsonSerializer.Deserialize<Dictionary<string, object?>>(shown.GetRawText()) });

        ((int)patched.StatusCode).Should().Be(200, await patched.Content.ReadAsStringAsync());
        (await StoredUrlAsync(id)).Should().Be(SlackUrl);
    }

    [Fact]
    public async Task A_webhook_secret_can_be_rotated_without_sending_the_url_again()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        const string url = "https://203.0.113.23/hook?token=keep-me";
        var id = (await admin.CreateChannelOkAsync("WEBHOOK", new { url })).GetProperty("id").GetInt64();
        var secret = "whsec_" + Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());

        var patched = await admin.PatchJsonAsync(NotificationsApi.Channel(id), new { config = new { secret } });

        ((int)patched.StatusCode).Should().Be(200, await patched.Content.ReadAsStringAsync());
        (await patched.Content.ReadAsStringAsync()).Should().NotContain(secret).And.NotContain("keep-me");
        (await StoredUrlAsync(id)).Should().Be(url);
        (await factory.WithDbAsync(async db => (await db.NotificationChannels.AsNoTracking().SingleAsync(c => c.Id == id)).Secret)).Should().Be(secret);
    }

    [Fact]
    public async Task A_patch_with_a_new_url_replaces_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var id = (await admin.CreateChannelOkAsync("SLACK", new { url = SlackUrl })).GetProperty("id").GetInt64();
        const string replacement = "https://203.0.113.24/services/T1/B1/YYYY";

        var patched = await admin.PatchJsonAsync(NotificationsApi.Channel(id), new { config = new { url = replacement } });

        ((int)patched.StatusCode).Should().Be(200, await patched.Content.ReadAsStringAsync());
        (await StoredUrlAsync(id)).Should().Be(replacement);
    }
}
