using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// Holds one dedicated connection that LISTENs for the changes this process caches, and hands each notification to the
/// <see cref="ICacheSubscriber"/>s of its channel, which evict what it names (API keys, sensors and their sources; a
/// user's role or active flag; the detection rules). The database's triggers NOTIFY
/// in the transaction that makes the change, so every API process hears of it at commit, whatever wrote it. While the
/// connection is down no cache is trusted (lookups go to the database); on reconnect they start empty. A ping every few
/// seconds finds a silently dead connection.
/// </summary>
internal sealed partial class CacheInvalidationListener(
    [FromKeyedServices(DependencyInjection.ListenerDataSource)] NpgsqlDataSource dataSource,
    IEnumerable<ICacheSubscriber> subscribers,
    ILogger<CacheInvalidationListener> logger) : BackgroundService
{
    private readonly ILookup<string, ICacheSubscriber> _byChannel = subscribers.ToLookup(s => s.Channel, StringComparer.Ordinal);

    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Named, so that the listener's connection can be told apart in pg_stat_activity.</summary>
    internal const string PingSql = "SELECT 1 /* cache listener ping */";

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
                Distrust();
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

        Distrust();
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, e) => Apply(e.Channel, e.Payload);
        // The channels are the subscribers' constant identifiers, never input.
        await using (var listen = new NpgsqlCommand(string.Join("; ", _byChannel.Select(channel => "LISTEN " + channel.Key)), connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Listening from here on; what changed before is dropped with the old entries.
        foreach (var subscriber in _byChannel.SelectMany(channel => channel))
        {
            subscriber.Trust();
        }

        try
        {
            while (true)
            {
                if (!await connection.WaitAsync(PingEvery, stoppingToken))
                {
                    await using var ping = new NpgsqlCommand(PingSql, connection);
                    await ping.ExecuteNonQueryAsync(stoppingToken);
                }
            }
        }
        finally
        {
            Distrust();
            await UnlistenAsync(connection);
        }
    }

    /// <summary>
    /// The pool does not reset a connection on return (No Reset On Close, for speed): stop listening before this one
    /// goes back, or whoever takes it next would receive notifications.
    /// </summary>
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            // A broken connection is not returned to the pool anyway.
        }
    }

    private void Apply(string channel, string payload)
    {
        foreach (var subscriber in _byChannel[channel])
        {
            subscriber.Apply(payload);
        }
    }

    private void Distrust()
    {
        foreach (var subscriber in _byChannel.SelectMany(channel => channel))
        {
            subscriber.Distrust();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cache invalidation listener lost its connection; keys, users and source owners are looked up in the database until it is back (retry in {RetrySeconds} s)")]
    private static partial void LogListenerDown(ILogger logger, Exception exception, double retrySeconds);
}
