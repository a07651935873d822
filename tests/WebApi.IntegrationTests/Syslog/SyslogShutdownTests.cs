using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;

namespace ThreatPlatform.WebApi.IntegrationTests.Syslog;

/// <summary>
/// Stopping the API (a deploy, a rolling restart) writes what the syslog listener has already read before the process
/// ends: this class owns its host, and stops it.
/// </summary>
public sealed class SyslogShutdownTests(SyslogApiFactory factory) : IClassFixture<SyslogApiFactory>
{
    [Fact]
    public async Task Messages_queued_when_the_api_is_stopped_are_written_before_it_ends()
    {
        const int messages = 120; // fewer than the queue holds: all of them are read, none is left in a socket
        var sensor = await factory.ClaimLoopbackAsync("SYSLOG");

        // The writers' INSERT waits on this lock, so every message is still queued (or in a batch in hand) at the stop.
        await using var blocker = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await blocker.OpenAsync();
        var transaction = await blocker.BeginTransactionAsync();
        await using (var lockEvents = new Npgsql.NpgsqlCommand("LOCK TABLE events IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockEvents.ExecuteNonQueryAsync();
        }

        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", factory.TcpPort);
            var stream = client.GetStream();
            for (var i = 0; i < messages; i++)
            {
                var bytes = Encoding.UTF8.GetBytes($"<14>1 2026-12-06T10:00:00Z host app - - - queued at shutdown {i}");
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length} "));
                await stream.WriteAsync(bytes);
            }

            // The listener closes its side once it has read (and queued) everything up to the end of the stream.
            client.Client.Shutdown(SocketShutdown.Send);
            (await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(0);
        }

        var stopping = factory.Host.StopAsync(TimeSpan.FromSeconds(60));
        await WaitUntilListenerClosedAsync();

        // The host is stopping, its writers still blocked: only now can they write.
        await transaction.RollbackAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(90));
        (await StoredCountAsync(sensor.Id)).Should().Be(messages);
    }

    private async Task<long> StoredCountAsync(long sensorId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM events WHERE sensor_id = $1", connection) { Parameters = { new() { Value = sensorId } } };
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Until a connection is refused: the listener, which stops first, has closed its sockets.</summary>
    private async Task WaitUntilListenerClosedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", factory.TcpPort);
            }
            catch (SocketException)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the syslog listener still accepts connections");
    }
}
