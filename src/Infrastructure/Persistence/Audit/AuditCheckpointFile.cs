using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Infrastructure.Persistence.Audit;

/// <summary>
/// Publishes the audit chain's head outside the database after every commit that appended to it: one signed JSON line
/// appended to a file (Audit__CheckpointPath) and one structured log event (ThreatPlatform.Audit). Several API replicas
/// may share the file: each append holds an exclusive lock on it (flock) for the write alone. Within a process, commits
/// that finish while a write is under way are covered by the next one, which names the newest head (group commit), so
/// a burst of appends costs a few file writes, not one each.
/// </summary>
public sealed class AuditCheckpointFile(string path, AuditChainKey key, TimeProvider clock, ILoggerFactory loggers) : IAuditCheckpoints, IDisposable
{
    // Enough for a few hundred lines: the newest head of every replica is among the last lines written.
    private const int TailBytes = 64 * 1024;

    private readonly ILogger _log = loggers.CreateLogger("ThreatPlatform.Audit");
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _sync = new();
    private (long Id, string Hash)? _newest;
    private long _published;

    public string Path => path;

    /// <summary>
    /// Publishes entry <paramref name="id"/> (hash <paramref name="hash"/>), committed, as the head, unless a newer head is
    /// already out. Never throws: a file that cannot be written is logged as an error (the log event still carries the head).
    /// </summary>
    internal async Task PublishAsync(long id, string hash)
    {
        lock (_sync)
        {
            if (_newest is not { } newest || id > newest.Id)
            {
                _newest = (id, hash);
            }
        }

        await _writer.WaitAsync();
        try
        {
            (long Id, string Hash) head;
            lock (_sync)
            {
                head = _newest!.Value;
            }

            if (head.Id <= _published)
            {
                return;
            }

            var checkpoint = AuditCheckpoint.Sign(head.Id, head.Hash, clock.GetUtcNow(), key);
            _log.LogInformation(
                "Audit checkpoint #{AuditCheckpointId} {AuditCheckpointHash} at {AuditCheckpointAt} signed {AuditCheckpointMac}",
                checkpoint.Id, checkpoint.Hash, checkpoint.At, checkpoint.Mac);
            await AppendAsync(Encoding.UTF8.GetBytes(ToLine(checkpoint) + "\n"));
            _published = head.Id;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError(e, "Audit checkpoint not written to {AuditCheckpointPath}: verify cannot detect a deleted tail past the last one written", path);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<AuditCheckpoint?> LatestAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        return await WithLockRetriesAsync(async () =>
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var start = Math.Max(0, stream.Length - TailBytes);
            var newest = await NewestAsync(stream, start, cancellationToken);
            // A tail of only damaged or foreign lines: look through the whole file.
            return newest is null && start > 0 ? await NewestAsync(stream, 0, cancellationToken) : newest;
        });
    }

    private async Task<AuditCheckpoint?> NewestAsync(FileStream stream, long start, CancellationToken cancellationToken)
    {
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        if (start > 0)
        {
            await reader.ReadLineAsync(cancellationToken); // the line the tail cut through
        }

        AuditCheckpoint? newest = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            // Lines another key signed (another database's tests, a rotated key) or that were damaged do not count.
            if (Parse(line) is { } checkpoint && checkpoint.IsSignedBy(key) && (newest is null || checkpoint.Id > newest.Id))
            {
                newest = checkpoint;
            }
        }

        return newest;
    }

    private Task AppendAsync(byte[] line) => WithLockRetriesAsync(async () =>
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        await using var stream = new FileStream(path, options);
        await stream.WriteAsync(line);
        // On disk before the request that appended is answered: the database has already made the entry durable.
        stream.Flush(flushToDisk: true);
        return true;
    });

    /// <summary>Another process holding the file's lock makes the open fail at once (no waiting flock): try again shortly.</summary>
    private static async Task<T> WithLockRetriesAsync<T>(Func<Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (IOException e) when (attempt < 50 && e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                await Task.Delay(Math.Min(attempt * 5, 50));
            }
        }
    }

    public void Dispose() => _writer.Dispose();

    internal static string ToLine(AuditCheckpoint checkpoint) => string.Create(
        CultureInfo.InvariantCulture,
        $$"""{"id":{{checkpoint.Id}},"hash":"{{checkpoint.Hash}}","at":"{{checkpoint.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}}","mac":"{{checkpoint.Mac}}"}""");

    internal static AuditCheckpoint? Parse(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return new AuditCheckpoint(
                root.GetProperty("id").GetInt64(),
                root.GetProperty("hash").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                root.GetProperty("mac").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
