using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>
/// Holds one dedicated connection that LISTENs on <see cref="Notifications.Channel"/> and evicts what each notification
/// names from <see cref="ApiKeyCache"/>. The database's triggers NOTIFY in the transaction that revokes a key or changes a
/// sensor's state, so every API process hears of it at commit. While the connection is down the cache is not trusted
/// (lookups go to the database); on reconnect it starts empty. A ping every few seconds finds a silently dead connection.
/// </summary>
internal sealed partial class ApiKeyInvalidationListener([FromKeyedServices(DependencyInjection.ListenerDataSource)] NpgsqlDataSource dataSource, ApiKeyCache cache, ILogger<ApiKeyInvalidationListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retryDelay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever broke the connection, keep retrying: an exception out of here would stop the whole host.
                cache.Distrust();
                LogListenerDown(logger, ex, retryDelay.TotalSeconds);
                try
                {
                    await Task.Delay(retryDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                continue;
            }

            retryDelay = TimeSpan.FromMilliseconds(500);
        }

        cache.Distrust();
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, e) => cache.Evict(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Notifications.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Listening from here on; what changed before is dropped with the old entries.
        cache.Trust();
        try
        {
            while (true)
            {
                if (!await connection.WaitAsync(PingEvery, stoppingToken))
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", connection);
                    await ping.ExecuteNonQueryAsync(stoppingToken);
                }
            }
        }
        finally
        {
            cache.Distrust();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The API key invalidation listener lost its connection; keys are looked up in the database until it is back (retry in {RetrySeconds} s)")]
    private static partial void LogListenerDown(ILogger logger, Exception exception, double retrySeconds);
}
