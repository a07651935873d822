using System.Threading.Channels;
using ThreatPlatform.Application.Events.IngestSyslog;

namespace ThreatPlatform.WebApi.Syslog;

/// <summary>One message as received: the sensor its sender belongs to, its bytes, the transport it came over.</summary>
public sealed record SyslogMessage(SyslogSensor Sensor, byte[] Bytes, string Transport);

/// <summary>
/// Messages received and not yet written, bounded twice: by count (<see cref="SyslogOptions.QueueMessages"/>) and by
/// bytes (<see cref="SyslogOptions.QueueBytes"/>). A TCP or TLS connection waits in <see cref="WriteAsync"/> while the
/// queue is full, and so stops reading its socket: the kernel's buffers fill and the sender's TCP window closes, so
/// memory stays bounded however long the database is slow or down. UDP cannot wait: <see cref="TryWrite"/> refuses.
/// </summary>
public sealed class SyslogQueue : IDisposable
{
    private readonly Channel<SyslogMessage> _channel;
    private readonly SemaphoreSlim _bytes;
    private readonly SemaphoreSlim _acquiring = new(1, 1);
    private readonly long _unit;

    public SyslogQueue(SyslogOptions options)
    {
        _channel = Channel.CreateBounded<SyslogMessage>(new BoundedChannelOptions(options.QueueMessages)
        {
            FullMode = BoundedChannelFullMode.Wait,
        });

        // The byte budget in 1 KiB units: a semaphore's count is an int.
        _unit = 1024;
        _bytes = new SemaphoreSlim((int)Math.Max(SyslogOptions.MaxMessageBytes / _unit, options.QueueBytes / _unit));
    }

    public ChannelReader<SyslogMessage> Reader => _channel.Reader;

    /// <summary>Waits until the queue has room for the message, then queues it.</summary>
    public async ValueTask WriteAsync(SyslogMessage message, CancellationToken cancellationToken)
    {
        var units = Units(message);

        // One writer at a time takes its units, so that writers each holding part of what they need cannot block each other.
        await _acquiring.WaitAsync(cancellationToken);
        var taken = 0;
        try
        {
            for (; taken < units; taken++)
            {
                await _bytes.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            Release(taken);
            throw;
        }
        finally
        {
            _acquiring.Release();
        }

        try
        {
            await _channel.Writer.WriteAsync(message, cancellationToken);
            SyslogMetrics.Queued.Inc();
        }
        catch
        {
            Release(units);
            throw;
        }
    }

    /// <summary>Queues the message if there is room now; false when the queue is full.</summary>
    public bool TryWrite(SyslogMessage message)
    {
        var units = Units(message);
        // A moment for a TCP writer that is taking its units; one waiting for room means the queue is full.
        if (!_acquiring.Wait(TimeSpan.FromMilliseconds(5)))
        {
            return false;
        }

        try
        {
            if (_bytes.CurrentCount < units)
            {
                return false;
            }

            for (var i = 0; i < units; i++)
            {
                _bytes.Wait(0);
            }
        }
        finally
        {
            _acquiring.Release();
        }

        if (_channel.Writer.TryWrite(message))
        {
            SyslogMetrics.Queued.Inc();
            return true;
        }

        Release(units);
        return false;
    }

    /// <summary>The writer has taken <paramref name="message"/> off the queue and is done with it.</summary>
    public void Done(SyslogMessage message)
    {
        SyslogMetrics.Queued.Dec();
        Release(Units(message));
    }

    public void Complete() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        _bytes.Dispose();
        _acquiring.Dispose();
    }

    private int Units(SyslogMessage message) => (int)((message.Bytes.Length + _unit - 1) / _unit) is var n && n > 0 ? n : 1;

    private void Release(int units)
    {
        if (units > 0)
        {
            _bytes.Release(units);
        }
    }
}
