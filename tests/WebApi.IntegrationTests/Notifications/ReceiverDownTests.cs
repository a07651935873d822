using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>The notifications API with a 2 s request time-out and retries far apart, so a failed delivery stays FAILED to be read.</summary>
public sealed class SlowRetryNotificationsApiFactory : NotificationsApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("Notifications:RequestTimeoutSeconds", "2");
        builder.UseSetting("Notifications:BackoffBaseSeconds", "600");
        builder.UseSetting("Notifications:BackoffMaxSeconds", "600");
    }
}

/// <summary>
/// A receiver that is down does not hold up ingest: the delivery is written with the alert and sent afterwards by the
/// dispatcher, so the events are stored and answered while every delivery to a receiver that hangs or refuses fails.
/// </summary>
public sealed class ReceiverDownTests(SlowRetryNotificationsApiFactory factory) : IClassFixture<SlowRetryNotificationsApiFactory>, IAsyncLifetime, IDisposable
{
    private readonly TcpListener _hanging = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    public Task InitializeAsync()
    {
        _hanging.Start();
        // Accepts every connection and never answers: the sender waits until its time-out.
        _accepting = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _hanging.AcceptTcpClientAsync(_stop.Token);
                lock (_held)
                {
                    _held.Add(client);
                }
            }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _hanging.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }
    }

    public void Dispose()
    {
        _hanging.Dispose();
        _stop.Dispose();
    }

    /// <summary>A loopback port nothing listens on: connecting is refused.</summary>
    private static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Fact]
    public async Task Ingest_answers_and_stores_every_event_while_the_receivers_hang_or_refuse()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NotificationsApi.NewName("down");
        var hanging = await admin.CreateChannelOkAsync("WEBHOOK", new { url = $"http://127.0.0.1:{((IPEndPoint)_hanging.LocalEndpoint).Port}/hook" });
        var refusing = await admin.CreateChannelOkAsync("SLACK", new { url = $"http://127.0.0.1:{ClosedPort()}/hook" });
        var rule = await admin.CreateRuleOkAsync([hanging.GetProperty("id").GetInt64(), refusing.GetProperty("id").GetInt64()], source, minSeverity: "CRITICAL");

        var answers = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add((int)(await admin.IngestAsync(EventsApi.NewEvent("CRITICAL", source, $"single-{i}"))).StatusCode);
        }

        var batch = await admin.PostBatchAsync([.. Enumerable.Range(0, 20).Select(i => EventsApi.NewEvent("CRITICAL", source, $"batch-{i}"))]);

        answers.Should().HaveCount(20).And.OnlyContain(code => code == 201);
        ((int)batch.StatusCode).Should().Be(200, await batch.Content.ReadAsStringAsync());
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(40);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(40);
        var ruleId = rule.GetProperty("id").GetInt64();
        var failed = await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"rule={ruleId}&status=FAILED"),
            d => d.Count == 80,
            "all 80 deliveries (40 alerts, 2 channels) FAILED");
        failed.Where(d => d.GetProperty("channel").GetInt64() == hanging.GetProperty("id").GetInt64())
            .Should().HaveCount(40).And.OnlyContain(d => d.GetProperty("last_error").GetString() == "The receiver did not answer in time.");
        failed.Where(d => d.GetProperty("channel").GetInt64() == refusing.GetProperty("id").GetInt64())
            .Should().HaveCount(40).And.OnlyContain(d => d.GetProperty("last_error").GetString()!.Contains("refused", StringComparison.OrdinalIgnoreCase));
        lock (_held)
        {
            _held.Should().NotBeEmpty("the hanging receiver was reached");
        }
    }
}

/// <summary>The notifications API with the longest request time-out (60 s): a hanging receiver holds its request that long.</summary>
public sealed class PatientNotificationsApiFactory : NotificationsApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("Notifications:RequestTimeoutSeconds", "60");
    }
}

/// <summary>A receiver that hangs holds one send slot, not every other channel's notifications behind it.</summary>
public sealed class HangingReceiverTests(PatientNotificationsApiFactory factory) : IClassFixture<PatientNotificationsApiFactory>, IAsyncLifetime, IDisposable
{
    private readonly TcpListener _hanging = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];
    private WebhookReceiver _live = null!;

    public async Task InitializeAsync()
    {
        _hanging.Start();
        _live = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync() => await _live.DisposeAsync();

    public void Dispose()
    {
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }

        _hanging.Dispose();
    }

    [Fact]
    public async Task A_webhook_goes_out_while_another_channels_receiver_holds_a_flood_of_requests()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var stuckSource = NotificationsApi.NewName("stuck");
        var liveSource = NotificationsApi.NewName("live");
        var stuck = await admin.CreateChannelOkAsync("WEBHOOK", new { url = $"http://127.0.0.1:{((IPEndPoint)_hanging.LocalEndpoint).Port}/hook" });
        var live = await admin.CreateChannelOkAsync("WEBHOOK", new { url = _live.Url });
        _live.Secret = live.GetProperty("config").GetProperty("secret").GetString();
        var stuckRule = (await admin.CreateRuleOkAsync([stuck.GetProperty("id").GetInt64()], stuckSource)).GetProperty("id").GetInt64();
        await admin.CreateRuleOkAsync([live.GetProperty("id").GetInt64()], liveSource);

        // More alerts for the hanging receiver than the dispatcher has send slots (16).
        var flood = await admin.PostBatchAsync([.. Enumerable.Range(0, 24).Select(i => EventsApi.NewEvent("CRITICAL", stuckSource, $"flood-{i}"))]);
        ((int)flood.StatusCode).Should().Be(200, await flood.Content.ReadAsStringAsync());
        var connection = await _hanging.AcceptTcpClientAsync();
        lock (_held)
        {
            _held.Add(connection);
        }

        await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"rule={stuckRule}"),
            d => d.Count(x => x.GetProperty("attempts").GetInt32() > 0) >= 4,
            "the hanging receiver's deliveries are being sent");
        var liveAlert = await admin.RaiseAlertAsync("CRITICAL", liveSource);

        await NotificationsApi.EventuallyAsync(
            () => admin.DeliveriesAsync($"alert={liveAlert}"),
            d => d.Count == 1 && d[0].GetProperty("status").GetString() == "SENT",
            "the other channel's delivery is SENT");
        var held = await admin.DeliveriesAsync($"rule={stuckRule}");
        held.Should().HaveCount(24).And.OnlyContain(
            d => d.GetProperty("status").GetString() == "PENDING" && d.GetProperty("last_error").ValueKind == System.Text.Json.JsonValueKind.Null,
            "the hanging receiver still holds its requests: none has timed out yet");
        _live.Received.Should().ContainSingle(r => r.Body.Contains(liveSource, StringComparison.Ordinal)).Which.SignatureValid.Should().BeTrue();
    }
}
