using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>
/// Sends the outbox, on every API replica: claims due deliveries (<see cref="OutboxStore.ClaimAsync"/>, FOR UPDATE SKIP
/// LOCKED, so replicas never send one twice), sends them and records the outcome; a failure retries with exponential
/// backoff and jitter until <see cref="NotificationOptions.MaxAttempts"/> or <see cref="NotificationOptions.MaxAgeHours"/>,
/// then it is DEAD. A NOTIFY from the triggers that queue deliveries wakes it at their commit; it polls only as a
/// backstop (a lost connection, a retry coming due). It also runs the SLA breach sweep.
/// Sends run beside the claiming loop, up to <see cref="NotificationOptions.MaxConcurrentSends"/> at once: the loop
/// claims more as soon as a send slot is free, and one channel holds at most
/// <see cref="NotificationOptions.MaxSendsPerChannel"/> of them (the claim skips a channel that has that many running),
/// so a receiver that hangs until the time-out does not hold every other channel's notifications behind it.
/// </summary>
internal sealed partial class NotificationDispatcher(
    OutboxStore store,
    IEnumerable<IChannelSender> senders,
    IServiceScopeFactory scopes,
    [FromKeyedServices(DependencyInjection.ListenerDataSource)] NpgsqlDataSource listenerDataSource,
    IOptions<NotificationOptions> options,
    IOptions<ConsoleLinkOptions> console,
    INotificationMetrics metrics,
    TimeProvider clock,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentSends, options.Value.MaxConcurrentSends);
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private readonly ConcurrentDictionary<long, int> _channelSends = new();
    private readonly Dictionary<ChannelKind, IChannelSender> _senders = senders.ToDictionary(s => s.Kind);
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;
    private long _sendSequence;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var listening = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                await SweepIfDueAsync(stoppingToken);
                // Claims only what free send slots can take at once; a send that ends frees its slot and wakes the loop.
                var room = Math.Min(settings.BatchSize, _slots.CurrentCount);
                busy = room > 0 && await DispatchOnceAsync(room, stoppingToken) >= room;
                var (depth, oldest) = await store.QueueAsync(stoppingToken);
                metrics.Queue(depth, oldest);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever failed (the database away, a bad row), the next round retries: an exception out of here
                // would stop the whole host.
                LogRoundFailed(logger, e);
            }

            if (!busy)
            {
                try
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(settings.PollSeconds), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await listening;
        // Sends still running were cancelled with the host: their deliveries stay claimed until the lease ends.
        await Task.WhenAll(_inFlight.Values);
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake-pending: one round serves every notification so far.
        }
    }

    private async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now.AddSeconds(options.Value.SlaSweepSeconds);
        await store.SweepSlaBreachesAsync(now, cancellationToken);
    }

    /// <summary>
    /// One round: claims up to <paramref name="limit"/> deliveries and starts their sends (each records its own outcome
    /// and frees its slot when done), without waiting for them. Answers how many deliveries it claimed.
    /// </summary>
    internal async Task<int> DispatchOnceAsync(int limit, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var busyChannels = _channelSends.Where(c => c.Value >= settings.MaxSendsPerChannel).Select(c => c.Key).ToList();
        var claimed = await store.ClaimAsync(clock.GetUtcNow(), limit, TimeSpan.FromSeconds(settings.LeaseSeconds), busyChannels, cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var channels = await store.ChannelsAsync(claimed.Where(c => c.ChannelId is not null).Select(c => c.ChannelId!.Value), cancellationToken);
        var emails = await store.EmailsAsync(claimed.Where(c => c.RecipientUserId is not null).Select(c => c.RecipientUserId!.Value), cancellationToken);
        var alerts = await AlertsAsync(claimed.Where(c => c.AlertId is not null).Select(c => c.AlertId!.Value).Distinct().ToList(), cancellationToken);

        // A digest is every held delivery of one rule, channel and window end; the rest go one by one.
        var sends = claimed
            .GroupBy(c => c.DigestAt is null ? (c.Id, 0L, DateTimeOffset.MinValue, c.ChannelId) : (0L, c.RuleId ?? 0, c.DigestAt.Value, c.ChannelId))
            .Select(g => g.OrderBy(d => d.Id).ToList())
            .ToList();
        var handBack = new List<long>();
        foreach (var group in sends)
        {
            var channel = group[0].ChannelId ?? 0;
            if (_channelSends.AddOrUpdate(channel, 1, (_, n) => n + 1) > settings.MaxSendsPerChannel && channel != 0)
            {
                // This claim took more of one channel than it may send at once: the rest go back to the outbox.
                _channelSends.AddOrUpdate(channel, 0, (_, n) => n - 1);
                handBack.AddRange(group.Select(d => d.Id));
                continue;
            }

            // Never waits: a claim takes at most as many deliveries as there are free slots, and sends ≤ deliveries.
            await _slots.WaitAsync(cancellationToken);
            var key = Interlocked.Increment(ref _sendSequence);
            _inFlight[key] = Task.Run(() => SendGroupAsync(key, channel, group, channels, emails, alerts, cancellationToken), CancellationToken.None);
        }

        if (handBack.Count > 0)
        {
            await store.ReleaseAsync(handBack, clock.GetUtcNow(), cancellationToken);
        }

        return claimed.Count;
    }

    private async Task SendGroupAsync(
        long key,
        long channel,
        List<ClaimedDelivery> group,
        IReadOnlyDictionary<long, ChannelTarget> channels,
        IReadOnlyDictionary<long, string> emails,
        IReadOnlyDictionary<long, AlertDto> alerts,
        CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(group, channels, emails, alerts, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Recording the outcome failed (the database away): the claim's lease runs out and the delivery is sent again.
            LogRoundFailed(logger, e);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            _channelSends.AddOrUpdate(channel, 0, (_, n) => n - 1);
            _inFlight.TryRemove(key, out _);
            _slots.Release();
            Wake();
        }
    }

    private async Task SendAsync(
        IReadOnlyList<ClaimedDelivery> deliveries,
        IReadOnlyDictionary<long, ChannelTarget> channels,
        IReadOnlyDictionary<long, string> emails,
        IReadOnlyDictionary<long, AlertDto> alerts,
        CancellationToken cancellationToken)
    {
        var first = deliveries[0];
        var ids = deliveries.Select(d => d.Id).ToList();
        if (first.ChannelId is not { } channelId || !channels.TryGetValue(channelId, out var channel))
        {
            await store.FailedAsync(ids, "The channel was deleted.", null, clock.GetUtcNow(), cancellationToken);
            metrics.Delivered(default, DeliveryStatus.Dead, ids.Count);
            return;
        }

        if (!channel.IsActive)
        {
            await store.FailedAsync(ids, "The channel is switched off.", null, clock.GetUtcNow(), cancellationToken);
            metrics.Delivered(channel.Kind, DeliveryStatus.Dead, ids.Count);
            return;
        }

        var message = new OutgoingMessage(
            first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            first.Event,
            first.DigestAt is not null,
            [.. deliveries.Where(d => d.AlertId is not null && alerts.ContainsKey(d.AlertId.Value)).Select(d => alerts[d.AlertId!.Value])],
            console.Value.PublicUrl,
            first.RecipientUserId is { } user ? emails.GetValueOrDefault(user) : null);
        try
        {
            await _senders[channel.Kind].SendAsync(channel, message, cancellationToken);
            await store.SentAsync(ids, clock.GetUtcNow(), cancellationToken);
            metrics.Delivered(channel.Kind, DeliveryStatus.Sent, ids.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var retryAt = NextAttempt(first, now);
            await store.FailedAsync(ids, Describe(e), retryAt, now, cancellationToken);
            metrics.Delivered(channel.Kind, retryAt is null ? DeliveryStatus.Dead : DeliveryStatus.Failed, ids.Count);
            LogSendFailed(logger, first.Id, channel.Kind, e.Message);
        }
    }

    /// <summary>When to try again, or null when the delivery is DEAD (out of attempts or too old).</summary>
    internal DateTimeOffset? NextAttempt(ClaimedDelivery delivery, DateTimeOffset now)
    {
        var settings = options.Value;
        if (delivery.Attempts >= settings.MaxAttempts || now - delivery.QueuedAt >= TimeSpan.FromHours(settings.MaxAgeHours))
        {
            return null;
        }

        // Exponential with "equal jitter": half the step fixed, half random, so retries of many deliveries spread out
        // but none comes sooner than half its step.
        var step = Math.Min(settings.BackoffMaxSeconds, settings.BackoffBaseSeconds * Math.Pow(2, delivery.Attempts - 1));
        var wait = (step / 2) + (Random.Shared.NextDouble() * step / 2);
        return now.AddSeconds(wait);
    }

    private static string Describe(Exception e) => e switch
    {
        TaskCanceledException => "The receiver did not answer in time.",
        _ when e.InnerException is { } inner && e is HttpRequestException => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };

    /// <summary>The alerts as the list shows them (the webhook body's data.alert), read now.</summary>
    private async Task<IReadOnlyDictionary<long, AlertDto>> AlertsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return new Dictionary<long, AlertDto>();
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            AlertListProjection.Rows(Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(db.Alerts).Where(a => ids.Contains(a.Id))),
            cancellationToken);
        var dtos = await AlertListProjection.ToDtosAsync(db, rows, clock.GetUtcNow(), cancellationToken);
        return dtos.ToDictionary(a => a.Id);
    }

    /// <summary>LISTENs for queued work on a connection of its own; reconnects with backoff; every notification wakes a round.</summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await listenerDataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannels.Notifications}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Whatever was queued before the LISTEN took effect: one round picks it up.
                Wake();
                retry = TimeSpan.FromMilliseconds(500);
                while (true)
                {
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1 /* notification dispatcher ping */", connection);
                        await ping.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogListenerDown(logger, e, retry.TotalSeconds);
                try
                {
                    await Task.Delay(retry, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A notification dispatch round failed; the next one retries")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification delivery {DeliveryId} through a {Kind} channel failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, long deliveryId, ChannelKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification dispatcher's LISTEN connection is down; polling until it is back (retry in {RetrySeconds} s)")]
    private static partial void LogListenerDown(ILogger logger, Exception exception, double retrySeconds);
}
