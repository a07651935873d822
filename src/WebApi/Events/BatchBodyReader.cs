using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Events;

/// <summary>
/// Receives a batch body whole (within the size limit and the upload deadline), then reads its items: a JSON array
/// element by element, or NDJSON line by line. An element or line that is not an event becomes a rejected item; only a
/// body whose items cannot be told apart (a broken array) fails as a whole. The size and item limits stop reading as
/// soon as they are passed.
/// <para>
/// Why the whole body first: the batch's process slot (<see cref="Limits.BatchConcurrency"/>) is taken only once it has
/// arrived, so a client trickling 10 MiB holds no slot meanwhile. The body is kept in memory up to
/// <see cref="MemoryThreshold"/> and in a temporary file beyond (ASP.NET Core's FileBufferingReadStream), so uploads in
/// progress do not hold 10 MiB of memory each.
/// </para>
/// </summary>
internal static partial class BatchBodyReader
{
    public const string NdjsonMediaType = "application/x-ndjson";

    /// <summary>Bytes of a body kept in memory while it is received; the rest goes to a temporary file.</summary>
    public const int MemoryThreshold = 1024 * 1024;

    /// <summary>
    /// The whole body, buffered: a 415 for another content type, a 413 past 10 MiB, a 408 when it has not arrived in full
    /// within <paramref name="uploadTimeout"/>. The caller disposes it (a temporary file may back it).
    /// </summary>
    public static async Task<ReceivedBatch> ReceiveAsync(HttpRequest request, TimeSpan uploadTimeout, CancellationToken cancellationToken)
    {
        var format = FormatOf(request.ContentType);
        return new ReceivedBatch(await ReceiveWholeAsync(request, uploadTimeout, cancellationToken), format);
    }

    /// <summary>
    /// The whole body of an ingest request (batch or raw), buffered: a 413 past 10 MiB, a 408 when it has not arrived in
    /// full within <paramref name="uploadTimeout"/>. The caller disposes it (a temporary file may back it).
    /// </summary>
    public static async Task<Stream> ReceiveWholeAsync(HttpRequest request, TimeSpan uploadTimeout, CancellationToken cancellationToken)
    {
        // A declared length over the limit never gets here (RequestBodyLimit); a chunked body is counted as it streams,
        // also on servers that do not enforce the endpoint's limit themselves.
        var buffered = new FileBufferingReadStream(
            new CappedStream(request.Body, IngestEventBatchCommand.MaxBodyBytes),
            MemoryThreshold,
            bufferLimit: null,
            Path.GetTempPath());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(uploadTimeout);
        try
        {
            await buffered.DrainAsync(deadline.Token);
            buffered.Position = 0;
            return buffered;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await buffered.DisposeAsync();
            throw new BatchBodyRejected(
                StatusCodes.Status408RequestTimeout,
                "Request timeout",
                $"The batch body did not arrive in full within {uploadTimeout.TotalSeconds:0} seconds; send smaller batches or send them faster.");
        }
        catch
        {
            await buffered.DisposeAsync();
            throw;
        }
    }

    /// <summary>A body received in full, not yet read as items.</summary>
    internal sealed class ReceivedBatch(Stream body, BodyFormat format) : IAsyncDisposable
    {
        public Task<IReadOnlyList<BatchItem>> ReadItemsAsync(JsonSerializerOptions json, CancellationToken cancellationToken) =>
            format == BodyFormat.Ndjson
                ? ReadNdjsonAsync(body, json, cancellationToken)
                : ReadArrayAsync(body, json, cancellationToken);

        public ValueTask DisposeAsync() => body.DisposeAsync();
    }

    private static BodyFormat FormatOf(string? contentType)
    {
        if (MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            var type = media.MediaType.Value;
            if (string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase))
            {
                return BodyFormat.JsonArray;
            }

            if (string.Equals(type, NdjsonMediaType, StringComparison.OrdinalIgnoreCase))
            {
                return BodyFormat.Ndjson;
            }
        }

        throw new BatchBodyRejected(
            StatusCodes.Status415UnsupportedMediaType,
            "Unsupported media type",
            $"Send the batch as a JSON array (application/json) or as NDJSON ({NdjsonMediaType}).");
    }

    private static async Task<IReadOnlyList<BatchItem>> ReadArrayAsync(Stream body, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var items = new List<BatchItem>();
        var array = new JsonArrayReader(json);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var consumed = array.Read(read.Buffer, read.IsCompleted, items);
                if (read.IsCompleted)
                {
                    return items;
                }

                reader.AdvanceTo(consumed, read.Buffer.End);
            }
        }
        catch (JsonException ex)
        {
            throw new Application.Common.Exceptions.RequestValidationException(
                "body",
                ex.LineNumber is { } line
                    ? $"The body is not a JSON array of events (line {line + 1}, byte {ex.BytePositionInLine + 1})."
                    : "The body is not a JSON array of events.");
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static async Task<IReadOnlyList<BatchItem>> ReadNdjsonAsync(Stream body, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var items = new List<BatchItem>();
        await ReadLinesAsync(body, (_, line) => AddLine(items, line, json), cancellationToken);
        return items;
    }

    /// <summary>
    /// Splits a body into LF-ended lines (the last needs no LF) and hands each one that is not blank (spaces, tabs, a CR)
    /// to <paramref name="onLine"/> with its line number from 0; blank lines are skipped but counted.
    /// </summary>
    internal static async Task ReadLinesAsync(Stream body, Action<int, ReadOnlySequence<byte>> onLine, CancellationToken cancellationToken)
    {
        var number = 0;
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    Take(number++, buffer.Slice(0, newline));
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                }

                if (read.IsCompleted)
                {
                    // The last line needs no newline after it.
                    Take(number, buffer);
                    reader.AdvanceTo(buffer.End);
                    return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }

        void Take(int lineNumber, ReadOnlySequence<byte> line)
        {
            if (!IsBlank(line))
            {
                onLine(lineNumber, line);
            }
        }
    }

    /// <summary>Every line that is not blank is an item, readable or not.</summary>
    private static void AddLine(List<BatchItem> items, ReadOnlySequence<byte> line, JsonSerializerOptions json)
    {
        BatchItem item;
        try
        {
            // The line's one value is found first (a line holding two is not an event), then read as an event in one pass.
            var reader = new Utf8JsonReader(line);
            reader.Read();
            var isObject = reader.TokenType == JsonTokenType.StartObject;
            var start = reader.TokenStartIndex;
            reader.Skip();
            var end = reader.BytesConsumed;
            if (reader.Read())
            {
                throw new JsonException("More than one JSON value on a line.");
            }

            item = isObject ? ItemOf(line.Slice(start, end - start), json) : NotAnObject();
        }
        catch (JsonException)
        {
            item = BatchItem.Malformed("body", "The line is not valid JSON.");
        }

        AddItem(items, item);
    }

    /// <summary>One JSON object, its bytes as received, read straight into an <see cref="EventBody"/> and on into the typed input.</summary>
    private static BatchItem ItemOf(ReadOnlySequence<byte> utf8, JsonSerializerOptions json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions(json));
            if (JsonSerializer.Deserialize<EventBody>(ref reader, json) is not { } body)
            {
                return NotAnObject();
            }

            var fields = new WireFields();
            var input = body.Read(fields);
            return input is not null ? BatchItem.Of(input) : new BatchItem(null, fields.Errors);
        }
        catch (JsonException ex)
        {
            // A value of the wrong type (a number for severity, say): reject this item, naming the field.
            var field = ProblemDetailsExceptionHandler.FieldFromPath(ex.Path);
            return BatchItem.Malformed(field, $"Invalid value for {field}.");
        }
    }

    /// <summary>The reader settings the serializer itself would use with <paramref name="json"/>.</summary>
    private static JsonReaderOptions ReaderOptions(JsonSerializerOptions json) => new()
    {
        AllowTrailingCommas = json.AllowTrailingCommas,
        CommentHandling = json.ReadCommentHandling,
        MaxDepth = json.MaxDepth,
    };

    private static BatchItem NotAnObject() => BatchItem.Malformed("body", "The item is not a JSON object.");

    private static void AddItem(List<BatchItem> items, BatchItem item)
    {
        if (items.Count == IngestEventBatchCommand.MaxItems)
        {
            throw new BatchBodyRejected(
                StatusCodes.Status413PayloadTooLarge,
                "Too many events",
                $"A batch holds at most {IngestEventBatchCommand.MaxItems:N0} events; split it.");
        }

        items.Add(item);
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static BatchBodyRejected TooLarge() => new(
        StatusCodes.Status413PayloadTooLarge,
        "Request body too large",
        $"A batch body is at most {IngestEventBatchCommand.MaxBodyBytes / (1024 * 1024)} MiB; split it.");

    internal enum BodyFormat
    {
        JsonArray,
        Ndjson,
    }

    /// <summary>Fails the read as soon as more than <c>limit</c> bytes have come in, whatever the server's own limit.</summary>
    private sealed class CappedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            return _read > limit ? throw TooLarge() : read;
        }
    }
}

/// <summary>A batch body refused before its items are looked at (413, 415): ProblemDetailsExceptionHandler answers it.</summary>
internal sealed class BatchBodyRejected(int status, string title, string detail) : RequestBodyRejected(status, title, detail);
