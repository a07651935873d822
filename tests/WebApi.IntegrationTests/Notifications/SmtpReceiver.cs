using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>
/// A real SMTP server in its own process: Debian's aiosmtpd (python3-aiosmtpd, installed by .ci/run) on a free port of
/// 127.0.0.1, storing each message it accepts in a maildir the test reads.
/// </summary>
public sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _maildir;

    private SmtpReceiver(Process process, string maildir, int port)
    {
        _process = process;
        _maildir = maildir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpReceiver> StartAsync()
    {
        // aiosmtpd's Mailbox makes the maildir (and its new/, cur/, tmp/) only when the folder does not exist yet.
        var maildir = Path.Combine(Path.GetTempPath(), $"tp-smtp-{Guid.NewGuid():N}");
        var port = FreePort();
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("aiosmtpd did not start.");
        var receiver = new SmtpReceiver(process, maildir, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return receiver;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                var error = process.HasExited ? await process.StandardError.ReadToEndAsync() : "still starting";
                throw new InvalidOperationException($"aiosmtpd is not listening on {port}: {error}");
            }
        }
    }

    /// <summary>Every message received so far, as its raw text.</summary>
    public IReadOnlyList<string> Messages() =>
        Directory.Exists(Path.Combine(_maildir, "new"))
            ? [.. Directory.GetFiles(Path.Combine(_maildir, "new")).Order().Select(File.ReadAllText)]
            : [];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(_maildir))
        {
            Directory.Delete(_maildir, recursive: true);
        }
    }
}
