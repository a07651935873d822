using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>Deliveries to a real HTTP receiver that checks the Standard Webhooks signature itself.</summary>
public sealed class WebhookDeliveryTests(NotificationsApiFactory factory) : IClassFixture<NotificationsApiFactory>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<(HttpClient Admin, long Channel)> WebhookChannelAsync(string source, string[]? events = null)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var channel = await admin.CreateChannelOkAsync("WEBHOOK", new { url = _receiver.Url });
        _receiver.Secret = channel.GetProperty("config").GetProperty("secret").GetString();
        var id = channel.GetProperty("id").GetInt64();
        await admin.CreateRuleOkAsync([id], source, events);
        return (admin, id);
    }

    [Fact]
    public async Task A_critical_alert_reaches_the_receiver_signed_with_the_delivery_id()
    {
        var source = NotificationsApi.NewName("signed");
        var (admin, _) = await WebhookChannelAsync(source);

        var alert = await admin.RaiseAlertAsync("CRITICAL", source);

        var delivery = (await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d.Count == 1 && d[0].GetProperty("status").GetString() == "SENT",
            "the delivery is SENT")).Single();
        var received = _receiver.Received.Where(r => r.Id == delivery.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).Should().ContainSingle().Subject;
        received.SignatureValid.Should().BeTrue();
        using var body = JsonDocument.Parse(received.Body);
        body.RootElement.GetProperty("type").GetString().Should().Be("alert.created");
        body.RootElement.GetProperty("data").GetProperty("alert").GetProperty("id").GetInt64().Should().Be(alert);
        body.RootElement.GetProperty("data").GetProperty("alert").GetProperty("severity").GetString().Should().Be("CRITICAL");
        body.RootElement.GetProperty("data").GetProperty("url").GetString().Should().Be($"https://soc.example.org/alerts/{alert}");
        delivery.GetProperty("attempts").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Metrics_count_deliveries_by_kind_and_outcome_and_show_the_queue()
    {
        var source = NotificationsApi.NewName("counted");
        var (admin, _) = await WebhookChannelAsync(source);

        var alert = await admin.RaiseAlertAsync("CRITICAL", source);
        await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d.Count == 1 && d[0].GetProperty("status").GetString() == "SENT",
            "the delivery is SENT");

        var text = await factory.CreateClientFrom("127.0.0.1").GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var sent = text.Split('\n').Single(l => l.StartsWith("threatplatform_notification_deliveries_total{kind=\"webhook\",outcome=\"sent\"} ", StringComparison.Ordinal));
        double.Parse(sent.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(1);
        text.Should().Contain("threatplatform_notification_queue_depth ").And.Contain("threatplatform_notification_oldest_pending_seconds ");
    }

    [Fact]
    public async Task A_receiver_that_fails_gets_the_same_webhook_id_on_the_retry()
    {
        var source = NotificationsApi.NewName("retried");
        var (admin, _) = await WebhookChannelAsync(source);
        _receiver.FailNext(1);

        var alert = await admin.RaiseAlertAsync("CRITICAL", source);

        var delivery = (await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d.Count == 1 && d[0].GetProperty("status").GetString() == "SENT",
            "the delivery is SENT after one failure")).Single();
        var id = delivery.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _receiver.Received.Where(r => r.Id == id).Should().HaveCount(2).And.OnlyContain(r => r.SignatureValid);
        delivery.GetProperty("attempts").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task The_test_endpoint_sends_a_signed_test_message()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var channel = await admin.CreateChannelOkAsync("WEBHOOK", new { url = _receiver.Url });
        _receiver.Secret = channel.GetProperty("config").GetProperty("secret").GetString();

        var queued = await admin.PostAsync(NotificationsApi.TestChannel(channel.GetProperty("id").GetInt64()), null);

        ((int)queued.StatusCode).Should().Be(202);
        var deliveryId = (await EventsApi.JsonAsync(queued)).GetProperty("delivery_id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var received = await NotificationsApi.EventuallyAsync(
            () => Task.FromResult(_receiver.Received.Where(r => r.Id == deliveryId).ToList()), r => r.Count == 1, "the test message arrives");
        received[0].SignatureValid.Should().BeTrue();
        JsonDocument.Parse(received[0].Body).RootElement.GetProperty("type").GetString().Should().Be("test");
    }

    [Fact]
    public async Task A_chat_channel_gets_text_and_blocks()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NotificationsApi.NewName("chat");
        var channel = await admin.CreateChannelOkAsync("SLACK", new { url = _receiver.Url });
        await admin.CreateRuleOkAsync([channel.GetProperty("id").GetInt64()], source);

        var alert = await admin.RaiseAlertAsync("CRITICAL", source, "ransomware");

        var message = await NotificationsApi.EventuallyAsync(
            () => Task.FromResult(_receiver.Received.Where(r => r.Body.Contains($"(alert #{alert})", StringComparison.Ordinal)).ToList()),
            r => r.Count == 1,
            "the chat message arrives");
        using var body = JsonDocument.Parse(message[0].Body);
        body.RootElement.GetProperty("text").GetString().Should().Be($"[CRITICAL] ransomware on {source} (alert #{alert})");
        body.RootElement.GetProperty("blocks").GetArrayLength().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task The_address_actually_dialled_is_checked_when_connecting()
    {
        var source = NotificationsApi.NewName("rebound");
        var (admin, channel) = await WebhookChannelAsync(source);
        // As if the name had resolved to a public address at creation and to a private one now (DNS rebinding): the
        // stored URL is changed behind the API's back, so only the connect-time check stands in the way.
        await using (var connection = new NpgsqlConnection(factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "UPDATE notification_channels SET config = jsonb_set(config, '{url}', to_jsonb($1::text)) WHERE id = $2", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "http://10.255.255.1:9/hook" });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = channel });
            await command.ExecuteNonQueryAsync();
        }

        var alert = await admin.RaiseAlertAsync("CRITICAL", source);

        var delivery = (await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={alert}"),
            d => d.Count == 1 && d[0].GetProperty("status").GetString() == "FAILED",
            "the delivery FAILED")).Single();
        delivery.GetProperty("last_error").GetString().Should().Contain("Refused to connect").And.Contain("10.255.255.1");
    }

    [Fact]
    public async Task Two_api_hosts_on_one_database_send_each_notification_once()
    {
        var source = NotificationsApi.NewName("replicas");
        var (admin, _) = await WebhookChannelAsync(source);
        await using var second = factory.SecondHost();
        using var secondClient = second.CreateClient();
        var before = _receiver.Received.Count;

        var posted = await admin.PostBatchAsync([.. Enumerable.Range(0, 40).Select(i => EventsApi.NewEvent("CRITICAL", source, $"burst-{i}"))]);
        ((int)posted.StatusCode).Should().Be(200);

        var sent = await NotificationsApi.EventuallyAsync(
            async () => (await admin.DeliveriesAsync($"status=SENT&rule={await RuleOfAsync(admin, source)}")).Count,
            n => n == 40,
            "all 40 deliveries are SENT");
        sent.Should().Be(40);
        var ids = _receiver.Received.Skip(before).Where(r => r.Body.Contains(source, StringComparison.Ordinal)).Select(r => r.Id).ToList();
        ids.Should().HaveCount(40).And.OnlyHaveUniqueItems();
    }

    private static async Task<long> RuleOfAsync(HttpClient admin, string source)
    {
        var rules = await admin.GetJsonAsync("/api/notifications/rules/?page_size=100");
        return rules.GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("sources").EnumerateArray().Any(s => s.GetString() == source))
            .GetProperty("id").GetInt64();
    }
}
