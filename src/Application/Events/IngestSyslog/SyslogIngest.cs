using System.Net;
using ThreatPlatform.Application.Events.Formats;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.IngestSyslog;

/// <summary>
/// A sensor the syslog listener accepts messages for: its id, the format its messages are read in, the sources it owns
/// (the first is its default) and whether its severe events fold into open alerts.
/// </summary>
public sealed record SyslogSensor(long Id, EventFormat Format, IReadOnlyList<string> Sources, bool Grouping);

/// <summary>
/// Which active sensor a syslog sender's address belongs to: the one whose <c>syslog_networks</c> holds it (the
/// narrowest such network when several do, then the lowest sensor id), or none.
/// </summary>
public interface ISyslogSenders
{
    /// <summary>
    /// The sensor for <paramref name="sender"/>, or null for an unknown sender. Throws when the sensors cannot be read
    /// now (the database is down and nothing was read before): the caller waits or drops, it never guesses.
    /// </summary>
    ValueTask<SyslogSensor?> FindAsync(IPAddress sender, CancellationToken cancellationToken);
}

/// <summary>
/// Syslog messages as batch items, so that the listener stores them exactly as POST /api/ingest/raw/ stores lines (the
/// batch endpoint's ownership, idempotency, hostile-text, grouping and alert rules, on the same writer). A message is
/// read in its sensor's format: SYSLOG (and NATIVE, whose event JSON has no syslog form) by the syslog parser; CEF by
/// the CEF parser, which reads the syslog header in front of <c>CEF:</c>; the JSON formats (SURICATA_EVE, ECS, OCSF)
/// from the first <c>{</c> on, the syslog header before it skipped (Suricata's own syslog output is
/// <c>&lt;PRI&gt;… suricata[pid]: {…}</c>).
/// </summary>
public static class SyslogBatch
{
    public static IReadOnlyList<BatchItem> Read(SyslogSensor sensor, IReadOnlyList<ReadOnlyMemory<byte>> messages, DateTimeOffset receivedAt)
    {
        var context = new RecordContext(sensor.Sources, receivedAt);
        var items = new List<BatchItem>(messages.Count);
        foreach (var message in messages)
        {
            var result = Parse(sensor.Format, message.Span, context);
            items.Add(result.IsParsed
                ? BatchItem.Of(result.Event.Input with { Format = result.Event.Format, Raw = result.Event.Raw })
                : BatchItem.Malformed(result.Failure.Part, $"{result.Failure.Message} (at {result.Failure.At})"));
        }

        return items;
    }

    public static RecordParseResult Parse(EventFormat format, ReadOnlySpan<byte> message, RecordContext context) => format switch
    {
        EventFormat.Native or EventFormat.Syslog => SyslogParser.Parse(message, context),
        EventFormat.Cef => CefParser.Parse(message, context),
        _ => RecordParser.Parse(format, JsonPart(message), context),
    };

    private static ReadOnlySpan<byte> JsonPart(ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty || message[0] != (byte)'<')
        {
            return message;
        }

        var brace = message.IndexOf((byte)'{');
        return brace < 0 ? message : message[brace..];
    }
}
