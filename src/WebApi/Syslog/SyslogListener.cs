using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ThreatPlatform.Application.Events.IngestSyslog;

namespace ThreatPlatform.WebApi.Syslog;

/// <summary>
/// The syslog listener: RFC 5424 / RFC 3164 messages over UDP (one datagram, one message), TCP (RFC 6587: octet
/// counting, <c>LEN SP MSG</c>, when a connection's first byte is a digit, else one message per LF-terminated line) and
/// TLS (RFC 5425: octet counting inside TLS; LF framing is read there too). Each transport runs only when its port is
/// set. A message is attributed to its sender's sensor (<see cref="ISyslogSenders"/>) as it is read; an unknown
/// sender's is dropped and counted, and so is one longer than 64 KiB. The rest go to the <see cref="SyslogQueue"/>,
/// whose bound stops TCP and TLS reading when it is full (UDP drops instead).
/// </summary>
internal sealed partial class SyslogListener(
    SyslogOptions options,
    SyslogQueue queue,
    ISyslogSenders senders,
    ILogger<SyslogListener> logger) : BackgroundService
{
    private const int MaxLengthDigits = 6;
    private const int ConnectionReceiveBufferBytes = 1024 * 1024;
    private readonly SemaphoreSlim _connections = new(options.MaxConnections, options.MaxConnections);
    private readonly List<Socket> _sockets = [];

    /// <summary>The ports bound, once the service started (0 when off); a port setting of 0 is not allowed, so these are the settings.</summary>
    public IPEndPoint? UdpEndPoint { get; private set; }

    public IPEndPoint? TcpEndPoint { get; private set; }

    public IPEndPoint? TlsEndPoint { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bind before the host reports started, so that a taken port fails start-up and a test can send at once.
        var address = IPAddress.Parse(options.BindAddress);
        if (options.UdpPort is { } udp)
        {
            UdpEndPoint = Bind(new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp), address, udp);
        }

        if (options.TcpPort is { } tcp)
        {
            TcpEndPoint = Bind(new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp), address, tcp);
        }

        if (options.TlsPort is { } tls)
        {
            TlsEndPoint = Bind(new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp), address, tls);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>();
        var index = 0;
        if (options.UdpPort is not null)
        {
            loops.Add(ReceiveUdpAsync(_sockets[index++], stoppingToken));
        }

        if (options.TcpPort is not null)
        {
            loops.Add(AcceptAsync(_sockets[index++], SyslogMetrics.Tcp, null, stoppingToken));
        }

        if (options.TlsPort is not null)
        {
            var certificate = options.LoadCertificate();
            loops.Add(AcceptAsync(_sockets[index], SyslogMetrics.Tls, certificate, stoppingToken));
        }

        LogListening(logger, options.UdpPort, options.TcpPort, options.TlsPort);
        await Task.WhenAll(loops);
    }

    public override void Dispose()
    {
        _connections.Dispose();
        base.Dispose();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await base.StopAsync(cancellationToken);
        queue.Complete();
    }

    private IPEndPoint Bind(Socket socket, IPAddress address, int port)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = true;
        }

        if (socket.SocketType == SocketType.Stream)
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);

            // A fixed receive buffer (inherited by accepted connections) instead of the kernel's autotuning, which may grow
            // to tens of MiB a connection: what a paused connection holds in the kernel stays bounded too.
            socket.ReceiveBufferSize = ConnectionReceiveBufferBytes;
        }

        socket.Bind(new IPEndPoint(address, port));
        if (socket.SocketType == SocketType.Stream)
        {
            socket.Listen(512);
        }
        else
        {
            // Room for bursts while the writer is busy: datagrams beyond the kernel's buffer are lost before we see them.
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
        }

        _sockets.Add(socket);
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    private async Task ReceiveUdpAsync(Socket socket, CancellationToken stoppingToken)
    {
        // One byte more than a message may be, to tell a message of exactly 64 KiB from a longer one.
        var buffer = GC.AllocateUninitializedArray<byte>(SyslogOptions.MaxMessageBytes + 1);
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stoppingToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP port unreachable and the like, reported on a later receive: nothing to do with this datagram.
                LogUdpError(logger, e.SocketErrorCode);
                continue;
            }

            SyslogMetrics.Received.WithLabels(SyslogMetrics.Udp).Inc();
            if (received.ReceivedBytes > SyslogOptions.MaxMessageBytes)
            {
                SyslogMetrics.Dropped.WithLabels(SyslogMetrics.Udp, SyslogMetrics.TooLarge).Inc();
                continue;
            }

            var message = Trim(buffer.AsSpan(0, received.ReceivedBytes)).ToArray();
            if (message.Length == 0)
            {
                continue;
            }

            SyslogSensor? sensor;
            try
            {
                sensor = await senders.FindAsync(((IPEndPoint)received.RemoteEndPoint).Address, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The sensors could not be read (database down since start-up): UDP cannot wait.
                SyslogMetrics.Dropped.WithLabels(SyslogMetrics.Udp, SyslogMetrics.Overload).Inc();
                continue;
            }

            if (sensor is null)
            {
                SyslogMetrics.Dropped.WithLabels(SyslogMetrics.Udp, SyslogMetrics.UnknownSender).Inc();
            }
            else if (!queue.TryWrite(new SyslogMessage(sensor, message, SyslogMetrics.Udp)))
            {
                SyslogMetrics.Dropped.WithLabels(SyslogMetrics.Udp, SyslogMetrics.Overload).Inc();
            }
        }
    }

    private async Task AcceptAsync(Socket listener, string transport, X509Certificate2? certificate, CancellationToken stoppingToken)
    {
        var connections = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stoppingToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }

            if (!_connections.Wait(0, CancellationToken.None))
            {
                SyslogMetrics.ConnectionsRefused.WithLabels(transport).Inc();
                client.Dispose();
                continue;
            }

            var connection = ServeAsync(client, transport, certificate, stoppingToken);
            lock (connections)
            {
                connections.Add(connection);
            }

            _ = connection.ContinueWith(
                done =>
                {
                    lock (connections)
                    {
                        connections.Remove(done);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        Task[] open;
        lock (connections)
        {
            open = [.. connections];
        }

        await Task.WhenAll(open);
    }

    private async Task ServeAsync(Socket client, string transport, X509Certificate2? certificate, CancellationToken stoppingToken)
    {
        await Task.Yield();
        SyslogMetrics.Connections.WithLabels(transport).Inc();
        var sender = ((IPEndPoint)client.RemoteEndPoint!).Address;
        try
        {
            client.NoDelay = true;
            await using var network = new NetworkStream(client, ownsSocket: true);
            Stream stream = network;
            SslStream? tls = null;
            if (certificate is not null)
            {
                tls = new SslStream(network, leaveInnerStreamOpen: false);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                handshake.CancelAfter(TimeSpan.FromSeconds(Math.Min(options.IdleTimeoutSeconds, 30)));
                try
                {
                    await tls.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = false },
                        handshake.Token);
                }
                catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
                {
                    SyslogMetrics.ConnectionsRefused.WithLabels(transport).Inc();
                    await tls.DisposeAsync();
                    return;
                }

                stream = tls;
            }

            await using (tls)
            {
                await ReadMessagesAsync(PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024)), sender, transport, stoppingToken);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer went away, the connection idled out, or the host is stopping: what was read is queued already.
        }
        catch (Exception e)
        {
            LogConnectionFailed(logger, e, transport, sender);
        }
        finally
        {
            SyslogMetrics.Connections.WithLabels(transport).Dec();
            _connections.Release();
        }
    }

    /// <summary>Frames messages off one connection until it ends or idles out; waits on the queue while it is full.</summary>
    private async Task ReadMessagesAsync(PipeReader reader, IPAddress sender, string transport, CancellationToken stoppingToken)
    {
        Framing? framing = null;
        var skipping = 0L;          // bytes of a too-large octet-counted message still to skip
        var skippingLine = false;   // a too-large LF-framed message: skip to its LF
        using var idle = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idle.Token);
        while (true)
        {
            idle.CancelAfter(TimeSpan.FromSeconds(options.IdleTimeoutSeconds));
            var read = await reader.ReadAsync(linked.Token);
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
            var buffer = read.Buffer;
            var messages = new List<byte[]>();
            var tooLarge = 0;
            var broken = false;
            while (true)
            {
                if (skipping > 0)
                {
                    var skip = Math.Min(skipping, buffer.Length);
                    buffer = buffer.Slice(skip);
                    skipping -= skip;
                    if (skipping > 0)
                    {
                        break;
                    }
                }

                if (skippingLine)
                {
                    var end = buffer.PositionOf((byte)'\n');
                    if (end is null)
                    {
                        buffer = buffer.Slice(buffer.End);
                        break;
                    }

                    buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
                    skippingLine = false;
                }

                if (buffer.IsEmpty)
                {
                    break;
                }

                framing ??= buffer.FirstSpan[0] is >= (byte)'1' and <= (byte)'9' ? Framing.OctetCounting : Framing.LineFeed;
                var outcome = framing == Framing.OctetCounting
                    ? NextCounted(ref buffer, messages, ref skipping)
                    : NextLine(ref buffer, messages, read.IsCompleted, ref skippingLine);
                if (outcome == Frame.TooLarge)
                {
                    tooLarge++;
                }
                else if (outcome == Frame.NeedMore)
                {
                    break;
                }
                else if (outcome == Frame.Broken)
                {
                    // Not octet counting after all (a length that is not digits and a space): nothing more can be framed,
                    // so the connection ends after what was framed before.
                    broken = true;
                    buffer = buffer.Slice(buffer.End);
                    break;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            Count(transport, messages.Count + tooLarge);
            if (tooLarge > 0)
            {
                SyslogMetrics.Dropped.WithLabels(transport, SyslogMetrics.TooLarge).Inc(tooLarge);
            }

            if (messages.Count > 0)
            {
                await QueueAsync(messages, sender, transport, stoppingToken);
            }

            if (read.IsCompleted || broken)
            {
                return;
            }
        }
    }

    private static void Count(string transport, int messages)
    {
        if (messages > 0)
        {
            SyslogMetrics.Received.WithLabels(transport).Inc(messages);
        }
    }

    /// <summary>
    /// Queues the connection's messages for their sensor, waiting while the queue is full (and so not reading the socket).
    /// The sender is looked up once per read: a sensor whose networks change is seen by the next read.
    /// </summary>
    private async Task QueueAsync(List<byte[]> messages, IPAddress sender, string transport, CancellationToken stoppingToken)
    {
        SyslogSensor? sensor;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                sensor = await senders.FindAsync(sender, stoppingToken);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The sensors cannot be read (the database has been down since start-up): wait, reading nothing more.
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        if (sensor is null)
        {
            SyslogMetrics.Dropped.WithLabels(transport, SyslogMetrics.UnknownSender).Inc(messages.Count);
            return;
        }

        foreach (var message in messages)
        {
            await queue.WriteAsync(new SyslogMessage(sensor, message, transport), stoppingToken);
        }
    }

    /// <summary>RFC 6587 octet counting: <c>MSG-LEN SP SYSLOG-MSG</c>, MSG-LEN a decimal without leading zero.</summary>
    private static Frame NextCounted(ref ReadOnlySequence<byte> buffer, List<byte[]> messages, ref long skipping)
    {
        var space = buffer.PositionOf((byte)' ');
        if (space is null)
        {
            return buffer.Length > MaxLengthDigits ? Frame.Broken : Frame.NeedMore;
        }

        var digits = buffer.Slice(0, space.Value);
        if (digits.Length is 0 or > MaxLengthDigits)
        {
            return Frame.Broken;
        }

        long length = 0;
        foreach (var segment in digits)
        {
            foreach (var b in segment.Span)
            {
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return Frame.Broken;
                }

                length = (length * 10) + (b - '0');
            }
        }

        var body = buffer.Slice(buffer.GetPosition(1, space.Value));
        if (length > SyslogOptions.MaxMessageBytes)
        {
            buffer = body;
            skipping = length;
            return Frame.TooLarge;
        }

        if (body.Length < length)
        {
            return Frame.NeedMore;
        }

        var message = Trim(body.Slice(0, length));
        if (message.Length > 0)
        {
            messages.Add(message);
        }

        buffer = body.Slice(length);
        return Frame.Message;
    }

    /// <summary>Non-transparent framing: a message per line (LF, a CR before it dropped); the last one ends at EOF.</summary>
    private static Frame NextLine(ref ReadOnlySequence<byte> buffer, List<byte[]> messages, bool atEnd, ref bool skippingLine)
    {
        var end = buffer.PositionOf((byte)'\n');
        ReadOnlySequence<byte> line;
        if (end is null)
        {
            if (buffer.Length > SyslogOptions.MaxMessageBytes)
            {
                skippingLine = true;
                buffer = buffer.Slice(buffer.End);
                return Frame.TooLarge;
            }

            if (!atEnd)
            {
                return Frame.NeedMore;
            }

            line = buffer;
            buffer = buffer.Slice(buffer.End);
        }
        else
        {
            line = buffer.Slice(0, end.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        }

        if (line.Length > SyslogOptions.MaxMessageBytes)
        {
            return Frame.TooLarge;
        }

        var message = Trim(line);
        if (message.Length > 0)
        {
            messages.Add(message);
        }

        return Frame.Message;
    }

    private static byte[] Trim(ReadOnlySequence<byte> message)
    {
        if (message.IsSingleSegment)
        {
            return Trim(message.FirstSpan).ToArray();
        }

        var whole = message.ToArray();
        return Trim(whole.AsSpan()).ToArray();
    }

    /// <summary>Without the line end and NUL padding senders put after a message.</summary>
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> message) => message.TrimEnd("\r\n\0"u8);

    private enum Framing
    {
        OctetCounting,
        LineFeed,
    }

    private enum Frame
    {
        Message,
        NeedMore,
        TooLarge,
        Broken,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listener on UDP {UdpPort}, TCP {TcpPort}, TLS {TlsPort} (unset: off)")]
    private static partial void LogListening(ILogger logger, int? udpPort, int? tcpPort, int? tlsPort);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog UDP receive error {Error}")]
    private static partial void LogUdpError(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog {Transport} connection from {Sender} failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, string transport, IPAddress sender);
}
