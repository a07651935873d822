using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.Syslog;

namespace ThreatPlatform.WebApi.IntegrationTests.Syslog;

/// <summary>
/// The syslog listener over real sockets: util-linux's <c>logger</c> over UDP, TCP (LF and octet counting), a TLS client,
/// attribution by the sensors' syslog networks, and back-pressure while the database cannot write.
/// </summary>
public sealed class SyslogListenerTests(SyslogApiFactory factory) : IClassFixture<SyslogApiFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string[] Documentation = ["192.0.2.0/24"];
    private static readonly string[] Loopback = ["127.0.0.1"];

    [Fact]
    public async Task A_message_sent_with_logger_over_udp_is_stored_for_the_sensor_whose_network_holds_the_sender()
    {
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");

        await SendWithLoggerAsync("-d", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.UdpPort), "-t", "sshd", "--msgid", "login", "-p", "auth.err", "udp: failed password for root");

        var stored = await StoredAsync(sensor.Id, 1);
        stored[0].Format.Should().Be(EventFormat.Syslog);
        stored[0].EventType.Should().Be("login");
        stored[0].Severity.Should().Be(Severity.High);
        stored[0].Source.Should().Be(sensor.Source);
        stored[0].Description.Should().Be("udp: failed password for root");
        stored[0].Raw.Should().StartWith("<35>1 ");
    }

    [Fact]
    public async Task Lines_sent_with_logger_over_tcp_are_stored_one_event_per_line()
    {
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");

        await PipeToLoggerAsync("tcp line one\ntcp line two\ntcp line three\n", "-T", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.TcpPort), "-t", "app");

        (await StoredAsync(sensor.Id, 3)).Select(e => e.Description).Should().BeEquivalentTo("tcp line one", "tcp line two", "tcp line three");
    }

    [Fact]
    public async Task Messages_sent_with_logger_with_octet_counting_are_stored()
    {
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");

        await PipeToLoggerAsync("counted one\ncounted two\n", "-T", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.TcpPort), "-t", "app");

        (await StoredAsync(sensor.Id, 2)).Select(e => e.Description).Should().BeEquivalentTo("counted one", "counted two");
    }

    [Fact]
    public async Task Messages_over_tls_with_octet_counting_are_stored()
    {
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", factory.TlsPort);
        await using var tls = new SslStream(client.GetStream(), false, (_, certificate, _, _) => certificate?.GetCertHashString() == factory.Thumbprint);
        await tls.AuthenticateAsClientAsync("localhost");

        foreach (var text in new[] { "<14>1 2026-12-06T10:00:00Z web01 nginx - - - tls one", "<14>1 2026-12-06T10:00:01Z web01 nginx - - - tls two" })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            await tls.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length} "));
            await tls.WriteAsync(bytes);
        }

        await tls.FlushAsync();

        var stored = await StoredAsync(sensor.Id, 2);
        stored.Select(e => e.Description).Should().BeEquivalentTo("tls one", "tls two");
        stored.Should().OnlyContain(e => e.OccurredAt.Year == 2026 && e.Metadata!.Contains("web01"));
    }

    [Fact]
    public async Task A_sender_no_sensor_network_holds_is_dropped_and_counted()
    {
        await factory.ClearSyslogNetworksAsync();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var elsewhere = await admin.CreateSensorOkAsync();
        await admin.PatchJsonAsync(SensorsApi.Sensor(elsewhere.GetProperty("id").GetInt64()), new { format = "SYSLOG", syslog_networks = Documentation });
        var before = await MetricAsync("threatplatform_syslog_dropped_total{transport=\"tcp\",reason=\"unknown_sender\"}");

        await PipeToLoggerAsync("nobody's one\nnobody's two\n", "-T", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.TcpPort), "-t", "app");

        await WaitUntilAsync(async () => await MetricAsync("threatplatform_syslog_dropped_total{transport=\"tcp\",reason=\"unknown_sender\"}") >= before + 2);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Description.StartsWith("nobody's")))).Should().Be(0);
    }

    [Fact]
    public async Task The_narrowest_network_holding_the_sender_decides_its_sensor()
    {
        await factory.ClearSyslogNetworksAsync();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var wide = await SyslogApiFactory.CreateSyslogSensorAsync(admin, "SYSLOG", "127.0.0.0/8", "10.0.0.0/8");
        var narrow = await SyslogApiFactory.CreateSyslogSensorAsync(admin, "SYSLOG", "127.0.0.1/32");

        await SendWithLoggerAsync("-T", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.TcpPort), "-t", "app", "for the narrow one");

        (await StoredAsync(narrow.Id, 1)).Single().Description.Should().Be("for the narrow one");
        (await factory.StoredCountAsync(wide.Id)).Should().Be(0);
    }

    [Fact]
    public async Task A_sensor_given_the_senders_network_receives_its_next_messages()
    {
        await factory.ClearSyslogNetworksAsync();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await SyslogApiFactory.CreateSyslogSensorAsync(admin, "SYSLOG", "192.0.2.0/24");
        var before = await MetricAsync("threatplatform_syslog_dropped_total{transport=\"udp\",reason=\"unknown_sender\"}");
        await SendWithLoggerAsync("-d", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.UdpPort), "-t", "app", "before the change");
        await WaitUntilAsync(async () => await MetricAsync("threatplatform_syslog_dropped_total{transport=\"udp\",reason=\"unknown_sender\"}") > before);

        (await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.Id), new { syslog_networks = Loopback })).EnsureSuccessStatusCode();
        await SendWithLoggerAsync("-d", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.UdpPort), "-t", "app", "after the change");

        (await StoredAsync(sensor.Id, 1)).Single().Description.Should().Be("after the change");
    }

    [Fact]
    public async Task A_sensor_whose_networks_another_writer_removes_stops_receiving_the_senders_messages()
    {
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");
        await SendWithLoggerAsync("-d", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.UdpPort), "-t", "app", "while it holds the network");
        await StoredAsync(sensor.Id, 1);

        // Not through the API: the database's NOTIFY is all this process hears of it.
        await factory.ClearSyslogNetworksAsync();

        var before = await MetricAsync("threatplatform_syslog_dropped_total{transport=\"udp\",reason=\"unknown_sender\"}");
        await WaitUntilAsync(async () =>
        {
            await SendWithLoggerAsync("-d", "--rfc5424", "-n", "127.0.0.1", "-P", Port(factory.UdpPort), "-t", "app", "after the change");
            return await MetricAsync("threatplatform_syslog_dropped_total{transport=\"udp\",reason=\"unknown_sender\"}") > before;
        });
    }

    [Fact]
    public async Task A_cef_sensors_syslog_messages_are_read_as_cef()
    {
        var sensor = await factory.ClaimLoopbackAsync("CEF");

        await SendWithLoggerAsync(
            "-T", "--octet-count", "--rfc3164", "-n", "127.0.0.1", "-P", Port(factory.TcpPort), "-t", "edgewall",
            "CEF:0|Acme|EdgeWall|7.2|fw:deny|Inbound SMB blocked|8|src=203.0.113.9 dst=10.1.2.3 externalId=smb-1 cs1Label=Rule cs1=Block SMB");

        var stored = (await StoredAsync(sensor.Id, 1)).Single();
        stored.Format.Should().Be(EventFormat.Cef);
        stored.EventType.Should().Be("fw:deny");
        stored.Severity.Should().Be(Severity.High);
        stored.Description.Should().Be("Inbound SMB blocked");
        stored.SourceIp!.ToString().Should().Be("203.0.113.9");
        stored.ExternalId.Should().Be("smb-1");
        stored.Metadata.Should().Contain("\"Rule\": \"Block SMB\"");
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.SensorId == sensor.Id))).Should().Be(1);
    }

    [Fact]
    public async Task A_message_over_64_KiB_is_dropped_as_too_large_and_the_connection_goes_on()
    {
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");
        var before = await MetricAsync("threatplatform_syslog_dropped_total{transport=\"tcp\",reason=\"too_large\"}");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", factory.TcpPort);
        var stream = client.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes("<14>1 - host app - - - " + new string('x', 70_000) + "\n<14>1 - host app - - - after the big one\n"));
        client.Client.Shutdown(SocketShutdown.Send);

        (await StoredAsync(sensor.Id, 1)).Single().Description.Should().Be("after the big one");
        (await MetricAsync("threatplatform_syslog_dropped_total{transport=\"tcp\",reason=\"too_large\"}")).Should().Be(before + 1);
    }

    [Fact]
    public async Task A_connection_beyond_the_most_allowed_is_closed_on_arrival_and_counted()
    {
        var open = SyslogMetrics.Connections.WithLabels(SyslogMetrics.Tcp);
        await WaitUntilAsync(() => Task.FromResult(open.Value == 0));
        var refusedBefore = SyslogMetrics.ConnectionsRefused.WithLabels(SyslogMetrics.Tcp).Value;
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < SyslogApiFactory.MaxConnections; i++)
            {
                var client = new TcpClient();
                held.Add(client);
                await client.ConnectAsync("127.0.0.1", factory.TcpPort);
            }

            await WaitUntilAsync(() => Task.FromResult(open.Value == SyslogApiFactory.MaxConnections));
            using var oneMore = new TcpClient();
            await oneMore.ConnectAsync("127.0.0.1", factory.TcpPort);

            // The kernel accepted it; the listener closes it at once: the read ends (0 bytes, or a reset).
            (await ReadUntilClosedAsync(oneMore)).Should().BeTrue();
            SyslogMetrics.ConnectionsRefused.WithLabels(SyslogMetrics.Tcp).Value.Should().Be(refusedBefore + 1);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_after_the_idle_timeout()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", factory.TcpPort);

        (await ReadUntilClosedAsync(client)).Should().BeTrue();
    }

    /// <summary>Reads until the server closes the connection (true), or gives up after a minute (false).</summary>
    private static async Task<bool> ReadUntilClosedAsync(TcpClient client)
    {
        var buffer = new byte[16];
        try
        {
            return await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Patience) == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_tcp_sender_is_paused_while_the_database_cannot_write_and_everything_it_sent_is_stored_afterwards()
    {
        const int messages = 20_000;
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");
        var receivedBefore = SyslogMetrics.Received.WithLabels(SyslogMetrics.Tcp).Value;

        // The writer's INSERT waits on this lock: to the listener, a database that accepts nothing.
        await using var blocker = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await blocker.OpenAsync();
        var transaction = await blocker.BeginTransactionAsync();
        await using (var lockEvents = new Npgsql.NpgsqlCommand("LOCK TABLE events IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockEvents.ExecuteNonQueryAsync();
        }

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", factory.TcpPort);
        var stream = client.GetStream();
        var padding = new string('p', 900);
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < messages; i++)
            {
                var bytes = Encoding.UTF8.GetBytes($"<14>1 2026-12-06T10:00:00Z host app - - - message {i} {padding}");
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length} "));
                await stream.WriteAsync(bytes);
            }

            client.Client.Shutdown(SocketShutdown.Send);
        });

        await WaitUntilAsync(() => Task.FromResult(SyslogMetrics.Queued.Value >= SyslogApiFactory.QueueMessages));
        var receivedWhileBlocked = SyslogMetrics.Received.WithLabels(SyslogMetrics.Tcp).Value - receivedBefore;

        // 20 MB cannot fit in the queue and the sockets' buffers: the sender is held, and the listener read no more than
        // its queue, the batches in hand and one read's worth (64 KiB) of messages.
        sending.IsCompleted.Should().BeFalse();
        receivedWhileBlocked.Should().BeLessThanOrEqualTo(SyslogApiFactory.QueueMessages + (SyslogApiFactory.Writers * SyslogApiFactory.BatchSize) + 100);

        await transaction.RollbackAsync();
        await sending.WaitAsync(TimeSpan.FromMinutes(3));
        await WaitUntilAsync(async () => await factory.StoredCountAsync(sensor.Id) >= messages, TimeSpan.FromMinutes(3));
        (await factory.StoredCountAsync(sensor.Id)).Should().Be(messages);
    }

    private async Task<List<SecurityEvent>> StoredAsync(long sensorId, int count)
    {
        await WaitUntilAsync(async () => await factory.StoredCountAsync(sensorId) >= count);
        return await factory.WithDbAsync(db => db.Events.AsNoTracking().Where(e => e.SensorId == sensorId).OrderBy(e => e.Id).ToListAsync());
    }

    private async Task<double> MetricAsync(string series)
    {
        using var client = factory.CreateClientFrom("127.0.0.1");
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            deadline.Elapsed.Should().BeLessThan(within ?? Patience, "the listener should have got there by now");
            await Task.Delay(100);
        }
    }

    private static Task SendWithLoggerAsync(params string[] arguments) => RunLoggerAsync(null, arguments);

    private static Task PipeToLoggerAsync(string stdin, params string[] arguments) => RunLoggerAsync(stdin, arguments);

    /// <summary>Runs util-linux's logger (the message from the arguments, or one per line of <paramref name="stdin"/>).</summary>
    private static async Task RunLoggerAsync(string? stdin, string[] arguments)
    {
        var start = new ProcessStartInfo("logger") { RedirectStandardInput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var logger = Process.Start(start)!;
        if (stdin is not null)
        {
            await logger.StandardInput.WriteAsync(stdin);
        }

        logger.StandardInput.Close();
        var errors = await logger.StandardError.ReadToEndAsync();
        await logger.WaitForExitAsync();
        logger.ExitCode.Should().Be(0, errors);
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
