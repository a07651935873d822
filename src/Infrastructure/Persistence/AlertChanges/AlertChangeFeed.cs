using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using ThreatPlatform.Application.Alerts.StreamAlerts;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Persistence.AlertChanges;

/// <summary>The connection string of the feed's own LISTEN connection (unpooled: it is held for the process's life).</summary>
internal sealed record AlertChangeListenerConnection(string ConnectionString);

/// <summary>
/// One per API process: LISTENs for the change log's notifications on a dedicated connection (reconnecting with
/// backoff), reads the log from its position once per wake-up (and on a short timer, so a lost notification or a
/// settling gap costs at most a poll), and fans each event out to every subscribed client's bounded queue.
/// Every replica reads the same log, so a client of any replica sees every change whichever replica made it.
/// A failure is logged and retried, never thrown: a stopped BackgroundService would stop the whole API.
/// </summary>
internal sealed partial class AlertChangeFeed(
    AlertChangeListenerConnection listener,
    IServiceScopeFactory scopes,
    IOptions<AlertStreamOptions> options,
    ILogger<AlertChangeFeed> logger) : BackgroundService, IAlertChangeFeed
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _gate = new();
    private readonly List<Channel<AlertStreamEvent>> _subscribers = [];
    private long _position;

    public async Task<AlertFeedSubscription> SubscribeAsync(CancellationToken cancellationToken)
    {
        await _ready.Task.WaitAsync(cancellationToken);
        var queue = Channel.CreateBounded<AlertStreamEvent>(new BoundedChannelOptions(options.Value.ClientBufferSize)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        lock (_gate)
        {
            _subscribers.Add(queue);
            // The position may be up to a poll behind while nobody followed (see WakeIfFollowed): catch up now. The
            // client's stream skips anything up to the log's latest id when it opened, so an older change read on the
            // way is not sent to it.
            _wake.Writer.TryWrite(true);
            return new AlertFeedSubscription(queue.Reader, _position, () => Unsubscribe(queue));
        }
    }

    /// <summary>
    /// A notification wakes the reader only while a client of this host follows the stream. With none, the position
    /// moves on with the one-second poll: an ingest-only host does not read the log once per severe event (a scope and
    /// a query each, on the hot path's CPU).
    /// </summary>
    private void WakeIfFollowed()
    {
        lock (_gate)
        {
            if (_subscribers.Count == 0)
            {
                return;
            }
        }

        _wake.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await FindPositionAsync(stoppingToken);
        var listening = ListenAsync(stoppingToken);
        long? lastRetention = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(stoppingToken);
                // Real time, not the injected TimeProvider: the log's own clock is the database's.
                if (lastRetention is null || System.Diagnostics.Stopwatch.GetElapsedTime(lastRetention.Value) >= RetentionInterval)
                {
                    lastRetention = System.Diagnostics.Stopwatch.GetTimestamp();
                    await ForgetOldChangesAsync(stoppingToken);
                }

                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                poll.CancelAfter(PollInterval);
                await _wake.Reader.WaitToReadAsync(poll.Token);
                _wake.Reader.TryRead(out _);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The poll interval passed without a notification: read the log anyway.
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogReadFailed(e);
                await Delay(PollInterval, stoppingToken);
            }
        }

        await listening;
        lock (_gate)
        {
            _subscribers.ForEach(s => s.Writer.TryComplete());
            _subscribers.Clear();
        }
    }

    private async Task FindPositionAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                _position = await scope.ServiceProvider.GetRequiredService<IAlertChangeLog>().LatestIdAsync(stoppingToken);
                _ready.TrySetResult();
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogReadFailed(e);
                await Delay(backoff, stoppingToken);
                backoff = Min(backoff * 2, MaxBackoff);
            }
        }
    }

    private async Task CatchUpAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<IAlertChangeLog>();
        var reader = scope.ServiceProvider.GetRequiredService<AlertChangeReader>();
        var settled = await log.SettledUpToAsync(_position, stoppingToken);
        lock (_gate)
        {
            if (_subscribers.Count == 0)
            {
                // Nobody here to send the changes to, so none is read (an API host that only ingests would otherwise
                // load every new alert a second time). A client that subscribes later starts from this position and
                // reads anything older it asks for (Last-Event-ID) from the log itself.
                _position = Math.Max(_position, settled);
                return;
            }
        }

        while (_position < settled)
        {
            var page = await reader.ReadAsync(_position, settled, stoppingToken);
            Broadcast(page);
        }
    }

    private void Broadcast(AlertStreamPage page)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers.ToList())
            {
                foreach (var change in page.Events)
                {
                    if (!subscriber.Writer.TryWrite(change))
                    {
                        // Fallen behind by a whole buffer: cut it off; it resumes from the log with Last-Event-ID.
                        subscriber.Writer.TryComplete();
                        _subscribers.Remove(subscriber);
                        LogClientDropped(options.Value.ClientBufferSize);
                        break;
                    }
                }
            }

            _position = page.ReadUpTo;
        }
    }

    private void Unsubscribe(Channel<AlertStreamEvent> queue)
    {
        lock (_gate)
        {
            _subscribers.Remove(queue);
        }

        queue.Writer.TryComplete();
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(listener.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => WakeIfFollowed();
                await using (var command = new NpgsqlCommand($"LISTEN {NotifyChannels.AlertChanges}", connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }

                // Whatever changed while this process was not listening is in the log: read it now.
                _wake.Writer.TryWrite(true);
                backoff = TimeSpan.FromSeconds(1);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogListenFailed(e, backoff.TotalSeconds);
                await Delay(backoff, stoppingToken);
                backoff = Min(backoff * 2, MaxBackoff);
            }
        }
    }

    private async Task ForgetOldChangesAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IAlertChangeLog>()
            .DeleteOlderThanAsync(TimeSpan.FromHours(options.Value.RetentionHours), stoppingToken);
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert stream: reading the change log failed; retrying")]
    private partial void LogReadFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert stream: LISTEN connection lost; reconnecting in {Seconds} s")]
    private partial void LogListenFailed(Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert stream: a client fell {Buffer} events behind and was cut off; it resumes with Last-Event-ID")]
    private partial void LogClientDropped(int buffer);
}
