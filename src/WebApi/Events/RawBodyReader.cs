using System.Buffers;
using Microsoft.Net.Http.Headers;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Events.IngestRaw;

namespace ThreatPlatform.WebApi.Events;

/// <summary>
/// Reads a raw body (text/plain, or application/x-ndjson for the JSON formats) line by line, once received in full
/// within the batch endpoint's limits (10 MiB, upload deadline; 10,000 records, 413 beyond). Lines end with LF (a CR before it is dropped by the
/// parsers); blank lines are not records but keep their number, so a rejected record's index is its line number.
/// </summary>
internal static class RawBodyReader
{
    public const string TextMediaType = "text/plain";

    /// <summary>A 415 unless the body is text/plain or NDJSON: said before the body is waited for.</summary>
    public static void RequireMediaType(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !(string.Equals(media.MediaType.Value, TextMediaType, StringComparison.OrdinalIgnoreCase)
                 || string.Equals(media.MediaType.Value, BatchBodyReader.NdjsonMediaType, StringComparison.OrdinalIgnoreCase)))
        {
            throw new BatchBodyRejected(
                StatusCodes.Status415UnsupportedMediaType,
                "Unsupported media type",
                $"Send the sensor's records one per line as {TextMediaType} (or {BatchBodyReader.NdjsonMediaType} for the JSON formats).");
        }
    }

    /// <summary>The records of a body received in full (<see cref="BatchBodyReader.ReceiveWholeAsync"/>).</summary>
    public static async Task<IReadOnlyList<RawLine>> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        var lines = new List<RawLine>();
        await BatchBodyReader.ReadLinesAsync(body, (number, line) => Add(lines, number, line), cancellationToken);
        return lines;
    }

    private static void Add(List<RawLine> lines, int number, ReadOnlySequence<byte> line)
    {
        if (lines.Count == IngestEventBatchCommand.MaxItems)
        {
            throw new BatchBodyRejected(
                StatusCodes.Status413PayloadTooLarge,
                "Too many records",
                $"A raw body holds at most {IngestEventBatchCommand.MaxItems:N0} records; split it.");
        }

        lines.Add(new RawLine(number, line.ToArray()));
    }
}
