using System.Globalization;
using Mediator;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Events.IngestSyslog;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.Operations;

namespace ThreatPlatform.WebApi.Syslog;

/// <summary>
/// Takes messages off the <see cref="SyslogQueue"/> in batches (up to <see cref="SyslogOptions.BatchSize"/>, or what
/// arrived within <see cref="SyslogOptions.BatchDelayMilliseconds"/> of the first) and writes each sensor's share as
/// one <see cref="IngestEventBatchCommand"/>, in a scope whose caller is that sensor (<see cref="SyslogCaller"/>): the
/// handler and writer of POST /api/events/batch/ and /api/ingest/raw/, with their rules. While the database is
/// unavailable the same batch is retried (with a growing pause) and nothing more is taken off the queue, so the queue
/// fills and the listener stops reading TCP and TLS sockets. A message leaves the queue's accounting only once its
/// batch was committed (or refused for good).
/// </summary>
internal sealed partial class SyslogWriter(
    SyslogQueue queue,
    SyslogOptions options,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<SyslogWriter> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <see cref="SyslogOptions.Writers"/> batches in flight at once: while one waits for its commit (the fsync), the
    /// next is read and parsed, as several clients of the batch endpoint overlap theirs.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Writers).Select(_ => Task.Run(() => WriteBatchesAsync(stoppingToken), CancellationToken.None)));

    /// <summary>
    /// Stops after the listener (hosted services stop in the reverse order of their registration, see
    /// <see cref="SyslogHosting"/>), which has closed its sockets and completed the queue: the writers go on until
    /// they have written what the queue still holds, and are cancelled only when the host's shutdown timeout runs out
    /// (the database down, say).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (ExecuteTask is { } writing)
        {
            try
            {
                await writing.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                LogDrainCut(logger, queue.Reader.Count);
            }
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task WriteBatchesAsync(CancellationToken stoppingToken)
    {
        var batch = new List<SyslogMessage>(options.BatchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await FillAsync(batch, stoppingToken);
                try
                {
                    await WriteAsync(batch, stoppingToken);
                }
                finally
                {
                    foreach (var message in batch)
                    {
                        queue.Done(message);
                    }

                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The shutdown timeout ran out before the queue was written (StopAsync logs what was left).
        }
    }

    /// <summary>The batch: what is queued now, then what arrives until it is full or the delay since the first ran out.</summary>
    private async Task FillAsync(List<SyslogMessage> batch, CancellationToken stoppingToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        window.CancelAfter(TimeSpan.FromMilliseconds(options.BatchDelayMilliseconds));
        while (batch.Count < options.BatchSize)
        {
            while (batch.Count < options.BatchSize && queue.Reader.TryRead(out var message))
            {
                batch.Add(message);
            }

            if (batch.Count >= options.BatchSize)
            {
                return;
            }

            try
            {
                if (!await queue.Reader.WaitToReadAsync(window.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(List<SyslogMessage> batch, CancellationToken stoppingToken)
    {
        foreach (var group in batch.GroupBy(m => m.Sensor.Id))
        {
            var messages = group.ToList();
            var sensor = messages[^1].Sensor;
            var receivedAt = clock.GetUtcNow();
            var items = SyslogBatch.Read(sensor, [.. messages.Select(m => (ReadOnlyMemory<byte>)m.Bytes)], receivedAt);
            for (var i = 0; i < items.Count; i++)
            {
                (items[i].Input is null ? SyslogMetrics.Rejected : SyslogMetrics.Parsed).WithLabels(messages[i].Transport).Inc();
            }

            var result = await SendWithRetryAsync(sensor, items, stoppingToken);
            Count(sensor, messages, items, result);
        }
    }

    private async Task<BatchIngestResult?> SendWithRetryAsync(SyslogSensor sensor, IReadOnlyList<BatchItem> items, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<SyslogCaller>().Sensor = sensor;
                return await scope.ServiceProvider.GetRequiredService<ISender>().Send(new IngestEventBatchCommand(items), stoppingToken);
            }
            catch (Exception e) when (DatabaseFailure.Of(e) is not null && !stoppingToken.IsCancellationRequested)
            {
                // The database is down or busy: hold this batch (and so the queue, and so the sockets) until it is back.
                SyslogMetrics.WriteRetries.Inc();
                LogWaitingForDatabase(logger, sensor.Id, items.Count, delay.TotalSeconds);
                await Task.Delay(delay, clock, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not the database's state but these items (a bug, or a validation this path did not expect): one batch
                // is lost, loudly, rather than the listener stopping.
                LogBatchFailed(logger, e, sensor.Id, items.Count);
                return null;
            }
        }
    }

    private static void Count(SyslogSensor sensor, List<SyslogMessage> messages, IReadOnlyList<BatchItem> items, BatchIngestResult? result)
    {
        var label = sensor.Id.ToString(CultureInfo.InvariantCulture);
        if (result is null)
        {
            ApiMetrics.EventsRejected.WithLabels(label).Inc(items.Count);
            foreach (var message in messages)
            {
                SyslogMetrics.Rejected.WithLabels(message.Transport).Inc();
            }

            return;
        }

        ApiMetrics.EventsIngested.WithLabels(label).Inc(result.Accepted);
        ApiMetrics.EventsDuplicate.WithLabels(label).Inc(result.Duplicates);
        ApiMetrics.EventsRejected.WithLabels(label).Inc(result.Rejected.Count);
        var rejected = result.Rejected.Select(r => r.Index).ToHashSet();
        foreach (var index in rejected.Where(i => items[i].Input is not null))
        {
            // Parsed, then refused by the batch rules (source ownership, an idempotency conflict, a field's limits).
            SyslogMetrics.Rejected.WithLabels(messages[index].Transport).Inc();
        }

        // Stored or a repeat of a stored event: either way it is in the database now.
        for (var i = 0; i < messages.Count; i++)
        {
            if (!rejected.Contains(i))
            {
                SyslogMetrics.Stored.WithLabels(messages[i].Transport).Inc();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog: the database is unavailable; holding a batch of {Messages} messages of sensor {SensorId} and retrying in {RetrySeconds} s (TCP and TLS senders are paused while the queue is full)")]
    private static partial void LogWaitingForDatabase(ILogger logger, long sensorId, int messages, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syslog: a batch of {Messages} messages of sensor {SensorId} could not be written and was dropped")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, long sensorId, int messages);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog: the shutdown timeout ran out with {Messages} messages still queued (and the batches in hand); they are not stored")]
    private static partial void LogDrainCut(ILogger logger, int messages);
}
