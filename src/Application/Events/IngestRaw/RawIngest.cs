using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events.Formats;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.IngestRaw;

/// <summary>
/// The calling sensor's format and owned sources (POST /api/ingest/raw/ reads its lines with them). Only a sensor's API
/// key may send raw records: a user's token is a 403, since a record's meaning depends on the sensor that sent it.
/// </summary>
public sealed record RawIngestSensorQuery : IQuery<RawIngestSensor>;

/// <summary>How the calling sensor's raw records are read: its format, and its sources in the order the API lists them (the first is the default).</summary>
public sealed record RawIngestSensor(EventFormat Format, IReadOnlyList<string> Sources);

public sealed class RawIngestSensorQueryHandler(IApplicationDbContext db, ICurrentUser currentUser)
    : IQueryHandler<RawIngestSensorQuery, RawIngestSensor>
{
    public async ValueTask<RawIngestSensor> Handle(RawIngestSensorQuery query, CancellationToken cancellationToken)
    {
        var sensorId = currentUser.SensorId
            ?? throw new Forbidden("Raw records are read in the format of the sensor that sends them: send them with the sensor's API key.");
        var sensor = await db.Sensors.AsNoTracking()
            .Where(s => s.Id == sensorId)
            .Select(s => new { s.Format, Sources = s.Sources.OrderBy(x => x.Source).Select(x => x.Source).ToList() })
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFound("Sensor", sensorId);
        return new RawIngestSensor(sensor.Format, sensor.Sources);
    }
}

/// <summary>One line of a raw body: its 0-based line number in the body, and its bytes (UTF-8 expected).</summary>
public sealed record RawLine(int Number, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// Raw lines as batch items, so that a raw body is stored exactly as a batch is (POST /api/events/batch/'s ownership,
/// idempotency, hostile-text, grouping and alert rules, on the same writer): each line parsed in the sensor's format is
/// an event, or an item rejected with the parser's reason under the part that failed.
/// </summary>
public sealed class RawBatch
{
    private readonly int[] _lineOf;

    private RawBatch(IReadOnlyList<BatchItem> items, int[] lineOf)
    {
        Items = items;
        _lineOf = lineOf;
    }

    public IReadOnlyList<BatchItem> Items { get; }

    public static RawBatch Read(RawIngestSensor sensor, IReadOnlyList<RawLine> lines, DateTimeOffset receivedAt)
    {
        var context = new RecordContext(sensor.Sources, receivedAt);
        var items = new List<BatchItem>(lines.Count);
        var lineOf = new int[lines.Count];
        foreach (var line in lines)
        {
            var result = RecordParser.Parse(sensor.Format, line.Bytes.Span, context);
            lineOf[items.Count] = line.Number;
            items.Add(result.IsParsed
                ? BatchItem.Of(result.Event.Input with { Format = result.Event.Format, Raw = result.Event.Raw })
                : BatchItem.Malformed(result.Failure.Part, $"{result.Failure.Message} (line {line.Number}, at {result.Failure.At})"));
        }

        return new RawBatch(items, lineOf);
    }

    /// <summary>The batch's answer with each rejected item's index turned into the line number it came from.</summary>
    public BatchIngestResult ByLine(BatchIngestResult result) =>
        result with { Rejected = [.. result.Rejected.Select(r => r with { Index = _lineOf[r.Index] })] };
}
