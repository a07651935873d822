using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// One record in a sensor's format to an event or a reason: the entry point the raw endpoint and the syslog listener
/// share. Pure: the same bytes and context give the same answer, and no input throws.
/// </summary>
public static class RecordParser
{
    /// <summary>The formats read here; NATIVE records are the event JSON itself, read by the batch endpoint's reader.</summary>
    public static bool Parses(EventFormat format) => format is EventFormat.Cef or EventFormat.Syslog or EventFormat.SuricataEve
        or EventFormat.Ecs or EventFormat.Ocsf;

    public static RecordParseResult Parse(EventFormat format, ReadOnlySpan<byte> utf8Line, RecordContext context) => format switch
    {
        EventFormat.Cef => CefParser.Parse(utf8Line, context),
        EventFormat.Syslog => SyslogParser.Parse(utf8Line, context),
        EventFormat.SuricataEve => SuricataEveParser.Parse(utf8Line, context),
        EventFormat.Ecs => EcsParser.Parse(utf8Line, context),
        EventFormat.Ocsf => OcsfParser.Parse(utf8Line, context),
        _ => new RecordFailure("format", 0, $"{format} records are not read by a format parser."),
    };
}
