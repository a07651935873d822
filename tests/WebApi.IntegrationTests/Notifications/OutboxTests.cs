using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Alerts;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>
/// The outbox write: every path that changes an alert queues the deliveries its rules select, in the same transaction.
/// The channel points at a receiver that is down, so deliveries stay in the log for the test to read.
/// </summary>
public sealed class OutboxTests(NotificationsApiFactory factory) : IClassFixture<NotificationsApiFactory>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Down = true;
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<(HttpClient Admin, long Channel)> ChannelAsync()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var channel = await admin.CreateChannelOkAsync("WEBHOOK", new { url = _receiver.Url });
        return (admin, channel.GetProperty("id").GetInt64());
    }

    private static async Task<List<JsonElement>> DeliveriesOfAsync(HttpClient admin, long alertId) =>
        await admin.DeliveriesAsync($"alert={alertId}");

    [Fact]
    public async Task Single_and_batch_ingest_queue_the_same_deliveries_for_the_same_events()
    {
        var (admin, channel) = await ChannelAsync();
        var single = NotificationsApi.NewName("single");
        var batch = NotificationsApi.NewName("batch");
        var rule = await admin.PostJsonAsync(NotificationsApi.Rules, new
        {
            name = NotificationsApi.NewName("rule"),
            events = NotificationsApi.Of("alert.created"),
            min_severity = "CRITICAL",
            sources = NotificationsApi.Of(single, batch),
            channels = NotificationsApi.Of(channel),
        });
        ((int)rule.StatusCode).Should().Be(201, await rule.Content.ReadAsStringAsync());
        string[] severities = ["LOW", "MEDIUM", "HIGH", "CRITICAL", "CRITICAL"];

        var singleAlerts = new List<(string Severity, long? Alert)>();
        foreach (var severity in severities)
        {
            var stored = await admin.IngestOkAsync(EventsApi.NewEvent(severity, single));
            singleAlerts.Add((severity, stored.GetProperty("alert_id").ValueKind == JsonValueKind.Null ? null : stored.GetProperty("alert_id").GetInt64()));
        }

        var posted = await admin.PostBatchAsync([.. severities.Select(s => EventsApi.NewEvent(s, batch))]);
        ((int)posted.StatusCode).Should().Be(200, await posted.Content.ReadAsStringAsync());
        var batchAlerts = (await admin.GetJsonAsync($"/api/alerts/?event__source={batch}&page_size=100")).GetProperty("results").EnumerateArray()
            .Select(a => (Severity: a.GetProperty("severity").GetString()!, Alert: (long?)a.GetProperty("id").GetInt64()))
            .ToList();

        async Task<List<string>> DeliveredSeverities(IEnumerable<(string Severity, long? Alert)> alerts)
        {
            var delivered = new List<string>();
            foreach (var (severity, alert) in alerts.Where(a => a.Alert is not null))
            {
                delivered.AddRange((await DeliveriesOfAsync(admin, alert!.Value)).Select(d => $"{severity}:{d.GetProperty("event").GetString()}:{d.GetProperty("channel").GetInt64()}"));
            }

            return [.. delivered.Order()];
        }

        var fromSingle = await DeliveredSeverities(singleAlerts);
        var fromBatch = await DeliveredSeverities(batchAlerts);
        fromSingle.Should().Equal($"CRITICAL:alert.created:{channel}", $"CRITICAL:alert.created:{channel}");
        fromBatch.Should().Equal(fromSingle);
    }

    [Fact]
    public async Task An_alert_whose_source_no_rule_selects_queues_nothing()
    {
        var (admin, channel) = await ChannelAsync();
        await admin.CreateRuleOkAsync([channel], NotificationsApi.NewName("watched"));

        var alert = await admin.RaiseAlertAsync("CRITICAL", NotificationsApi.NewName("other"));

        (await DeliveriesOfAsync(admin, alert)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_alert_is_not_stored_when_its_delivery_cannot_be()
    {
        var (admin, channel) = await ChannelAsync();
        var source = NotificationsApi.NewName("doomed");
        await admin.CreateRuleOkAsync([channel], source);
        await RefuseDeliveriesThroughAsync(channel);

        var refused = await admin.IngestAsync(EventsApi.NewEvent("CRITICAL", source));

        await refused.ShouldBeProblemAsync(500);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(0);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
    }

    /// <summary>Makes the database refuse any delivery through <paramref name="channel"/> (a trigger; ids only, no text).</summary>
    private async Task RefuseDeliveriesThroughAsync(long channel)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            CREATE FUNCTION refuse_deliveries_{channel}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.channel_id = {channel} THEN RAISE EXCEPTION 'test: delivery refused'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_deliveries_{channel} BEFORE INSERT ON notification_deliveries
                FOR EACH ROW EXECUTE FUNCTION refuse_deliveries_{channel}();
            """,
            connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_grouped_alert_notifies_again_only_when_its_severity_rises()
    {
        var (admin, channel) = await ChannelAsync();
        var sensor = await factory.SensorWithKeyAsync(admin);
        await admin.CreateRuleOkAsync([channel], sensor.Source, ["alert.created", "alert.escalated"]);
        var high = EventsApi.NewEvent("HIGH", sensor.Source);

        var first = await sensor.Client.IngestOkAsync(high);
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("HIGH", sensor.Source));
        var raised = await sensor.Client.IngestOkAsync(EventsApi.NewEvent("CRITICAL", sensor.Source));
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("CRITICAL", sensor.Source));

        var alert = first.GetProperty("alert_id").GetInt64();
        raised.GetProperty("alert_id").GetInt64().Should().Be(alert);
        (await DeliveriesOfAsync(admin, alert)).Select(d => d.GetProperty("event").GetString())
            .Should().BeEquivalentTo("alert.created", "alert.escalated");
    }

    [Fact]
    public async Task A_grouped_alert_escalated_through_batch_ingest_notifies_once_as_escalated()
    {
        var (admin, channel) = await ChannelAsync();
        var sensor = await factory.SensorWithKeyAsync(admin);
        await admin.CreateRuleOkAsync([channel], sensor.Source, ["alert.created", "alert.escalated"]);

        var first = await sensor.Client.PostBatchAsync(EventsApi.NewEvent("HIGH", sensor.Source));
        var second = await sensor.Client.PostBatchAsync(EventsApi.NewEvent("CRITICAL", sensor.Source), EventsApi.NewEvent("CRITICAL", sensor.Source));

        ((int)first.StatusCode).Should().Be(200, await first.Content.ReadAsStringAsync());
        ((int)second.StatusCode).Should().Be(200, await second.Content.ReadAsStringAsync());
        var alert = (await admin.GetJsonAsync($"/api/alerts/?event__source={sensor.Source}")).GetProperty("results").EnumerateArray().Should().ContainSingle().Subject;
        alert.GetProperty("occurrences").GetInt32().Should().Be(3);
        (await DeliveriesOfAsync(admin, alert.GetProperty("id").GetInt64())).Select(d => d.GetProperty("event").GetString())
            .Should().BeEquivalentTo("alert.created", "alert.escalated");
    }

    [Fact]
    public async Task Reopening_and_assigning_an_alert_queue_their_events()
    {
        var (admin, channel) = await ChannelAsync();
        var source = NotificationsApi.NewName("triage");
        await admin.CreateRuleOkAsync([channel], source, ["alert.reopened", "alert.assigned"]);
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);
        var alert = await admin.RaiseAlertAsync("HIGH", source);

        ((int)(await admin.ChangeStatusAsync(alert, "RESOLVED")).StatusCode).Should().Be(200);
        ((int)(await admin.ChangeStatusAsync(alert, "OPEN")).StatusCode).Should().Be(200);
        ((int)(await admin.AssignAsync(alert, analyst.Id)).StatusCode).Should().Be(200);

        (await DeliveriesOfAsync(admin, alert)).Select(d => d.GetProperty("event").GetString())
            .Should().BeEquivalentTo("alert.reopened", "alert.assigned");
    }

    [Fact]
    public async Task A_rule_that_is_switched_off_selects_nothing()
    {
        var (admin, channel) = await ChannelAsync();
        var source = NotificationsApi.NewName("quiet");
        var rule = await admin.CreateRuleOkAsync([channel], source);
        var off = await admin.PatchJsonAsync(NotificationsApi.Rule(rule.GetProperty("id").GetInt64()), new { is_active = false });
        ((int)off.StatusCode).Should().Be(200);

        var alert = await admin.RaiseAlertAsync("CRITICAL", source);

        (await DeliveriesOfAsync(admin, alert)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_alert_detail_lists_its_notifications()
    {
        var (admin, channel) = await ChannelAsync();
        var source = NotificationsApi.NewName("detail");
        await admin.CreateRuleOkAsync([channel], source);

        var alert = await admin.RaiseAlertAsync("CRITICAL", source);
        var detail = await admin.GetJsonAsync(EventsApi.Alert(alert));

        var notification = detail.GetProperty("notifications").EnumerateArray().Should().ContainSingle().Subject;
        notification.GetProperty("channel").GetInt64().Should().Be(channel);
        notification.GetProperty("kind").GetString().Should().Be("WEBHOOK");
        notification.GetProperty("event").GetString().Should().Be("alert.created");
    }
}
