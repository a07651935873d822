using System.Text;
using System.Text.Json;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// Syslog records, RFC 5424 or RFC 3164, told apart per message: <c>&lt;PRI&gt;1 </c> (version 1) is RFC 5424, anything
/// else RFC 3164. RFC 5424 is read strictly (a truncated or malformed header is refused, naming the field); RFC 3164 as
/// relays read it (§4.3): a message without a recognisable PRI gets 13 (user.notice), and one without a recognisable
/// TIMESTAMP is all CONTENT, with no time and no host.
/// <para>
/// Mapping (API.md): source HOSTNAME; event_type MSGID, else APP-NAME (RFC 3164: the TAG), else <c>syslog</c>; severity
/// 0–2 CRITICAL, 3 HIGH, 4 MEDIUM, 5–7 LOW; description MSG (cut at the event's limit, without its BOM); occurred_at
/// TIMESTAMP (RFC 3164 has no year and no zone: the receiving year, see <see cref="RecordTime.TryPlace"/>, in UTC);
/// external_id the first structured-data parameter named <c>id</c> or <c>eventId</c> (any case); metadata the structured
/// data, APP-NAME, PROCID, MSGID, facility and severity number, and the host name when the sensor does not own it.
/// </para>
/// </summary>
public static class SyslogParser
{
    private const int MaxHostname = 255;
    private const int MaxAppName = 48;
    private const int MaxProcId = 128;
    private const int MaxMsgId = 32;
    private const int MaxSdName = 32;
    private const int MaxTag = 48;

    public static RecordParseResult Parse(ReadOnlySpan<byte> utf8Line, RecordContext context)
    {
        utf8Line = RecordText.WithoutLineEnd(utf8Line);
        return RecordText.Refusal(utf8Line) is { } refusal ? refusal : ParseText(Encoding.UTF8.GetString(utf8Line), context);
    }

    public static RecordParseResult Parse(ReadOnlySpan<char> line, RecordContext context)
    {
        line = RecordText.WithoutLineEnd(line);
        return RecordText.Refusal(line) is { } refusal ? refusal : ParseText(line.ToString(), context);
    }

    private static RecordParseResult ParseText(string raw, RecordContext context)
    {
        if (Read(raw, context.ReceivedAt, out var record) is { } failure)
        {
            return failure;
        }

        var source = context.SourceFor(record.Hostname);
        if (source is null)
        {
            return new RecordFailure("hostname", 0, "the message names no host and the sensor owns no source to use instead.");
        }

        var eventType = record.MsgId ?? record.AppName ?? "syslog";
        var input = new EventInput
        {
            Source = source,
            EventType = eventType,
            Severity = SeverityOf(record.Priority),
            Description = RecordText.Description(raw.AsSpan(record.MessageStart)),
            OccurredAt = record.Timestamp,
            ExternalId = ExternalIdOf(record),
            Metadata = RecordText.Metadata((record, context), static (w, s) => WriteMetadata(w, s.record, s.context)),
        };
        return new ParsedEvent(input, EventFormat.Syslog, raw);
    }

    /// <summary>RFC 5424's severities onto the platform's: 0–2 CRITICAL, 3 HIGH, 4 MEDIUM, 5–7 LOW.</summary>
    internal static Severity SeverityOf(int priority) => (priority % 8) switch
    {
        <= 2 => Severity.Critical,
        3 => Severity.High,
        4 => Severity.Medium,
        _ => Severity.Low,
    };

    /// <summary>Reads a whole syslog message (either RFC); null on success, else why it cannot be read.</summary>
    internal static RecordFailure? Read(ReadOnlySpan<char> s, DateTimeOffset receivedAt, out SyslogRecord record)
    {
        record = new SyslogRecord();
        var afterPri = ReadPri(s, out var priority);
        if (afterPri > 0 && afterPri + 1 < s.Length && s[afterPri] == '1' && s[afterPri + 1] == ' ')
        {
            record.Priority = priority;
            record.IsRfc5424 = true;
            return Read5424(s, afterPri + 2, record);
        }

        Read3164(s, afterPri, afterPri > 0 ? priority : 13, receivedAt, record);
        return null;
    }

    private static int ReadPri(ReadOnlySpan<char> s, out int priority)
    {
        priority = 0;
        if (s.Length < 3 || s[0] != '<')
        {
            return 0;
        }

        var pos = 1;
        while (pos < s.Length && pos <= 3 && char.IsAsciiDigit(s[pos]))
        {
            priority = (priority * 10) + (s[pos] - '0');
            pos++;
        }

        return pos > 1 && pos < s.Length && s[pos] == '>' && priority <= 191 ? pos + 1 : 0;
    }

    // HEADER SP STRUCTURED-DATA [SP MSG]: TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID, each NILVALUE or text.
    private static RecordFailure? Read5424(ReadOnlySpan<char> s, int pos, SyslogRecord record)
    {
        if (NextField(s, ref pos, "timestamp", out var timestamp) is { } f1)
        {
            return f1;
        }

        if (timestamp is not "-")
        {
            if (!RecordTime.TryParseRfc3339(timestamp, strict: true, out var at))
            {
                return new RecordFailure("timestamp", pos - timestamp.Length - 1, "not an RFC 5424 TIMESTAMP (YYYY-MM-DDThh:mm:ss[.ffffff] with Z or ±hh:mm) nor '-'.");
            }

            record.Timestamp = at;
        }

        if (HeaderField(s, ref pos, "hostname", MaxHostname, out var hostname) is { } f2)
        {
            return f2;
        }

        if (HeaderField(s, ref pos, "app_name", MaxAppName, out var appName) is { } f3)
        {
            return f3;
        }

        if (HeaderField(s, ref pos, "procid", MaxProcId, out var procId) is { } f4)
        {
            return f4;
        }

        if (HeaderField(s, ref pos, "msgid", MaxMsgId, out var msgId, last: true) is { } f5)
        {
            return f5;
        }

        (record.Hostname, record.AppName, record.ProcId, record.MsgId) = (hostname, appName, procId, msgId);
        if (pos >= s.Length)
        {
            return new RecordFailure("structured_data", pos, "the message ends before its STRUCTURED-DATA (at least '-').");
        }

        if (s[pos] == '-')
        {
            pos++;
        }
        else if (s[pos] == '[')
        {
            if (ReadStructuredData(s, ref pos, record.StructuredData) is { } f6)
            {
                return f6;
            }
        }
        else
        {
            return new RecordFailure("structured_data", pos, "STRUCTURED-DATA must be '-' or start with '['.");
        }

        if (pos < s.Length)
        {
            if (s[pos] != ' ')
            {
                return new RecordFailure("structured_data", pos, "expected a space between STRUCTURED-DATA and MSG.");
            }

            pos++;
            if (pos < s.Length && s[pos] == '\uFEFF')
            {
                pos++;
            }
        }

        record.MessageStart = pos;
        return null;
    }

    private static RecordFailure? NextField(ReadOnlySpan<char> s, ref int pos, string name, out ReadOnlySpan<char> field, bool last = false)
    {
        field = default;
        var start = pos;
        var space = s[pos..].IndexOf(' ');
        if (space < 0 && !last)
        {
            return new RecordFailure(name, start, $"the message ends inside its header, at {name.ToUpperInvariant().Replace('_', '-')}.");
        }

        if (space < 0)
        {
            // The header ends with the message: the STRUCTURED-DATA that must follow is missing (reported by the caller).
            space = s.Length - start;
        }

        field = s.Slice(start, space);
        pos = start + space + (start + space < s.Length ? 1 : 0);
        return field.IsEmpty
            ? new RecordFailure(name, start, $"{name.ToUpperInvariant().Replace('_', '-')} is empty (two spaces in a row); '-' stands for no value.")
            : null;
    }

    private static RecordFailure? HeaderField(ReadOnlySpan<char> s, ref int pos, string name, int max, out string? value, bool last = false)
    {
        value = null;
        if (pos >= s.Length)
        {
            return new RecordFailure(name, pos, $"the message ends inside its header, before {name.ToUpperInvariant().Replace('_', '-')}.");
        }

        var start = pos;
        if (NextField(s, ref pos, name, out var field, last) is { } failure)
        {
            return failure;
        }

        if (field.Length > max)
        {
            return new RecordFailure(name, start, $"{name.ToUpperInvariant().Replace('_', '-')} is longer than {max} characters.");
        }

        foreach (var c in field)
        {
            if (c is < '!' or > '~')
            {
                return new RecordFailure(name, start, $"{name.ToUpperInvariant().Replace('_', '-')} may hold only printable US-ASCII.");
            }
        }

        value = field is "-" ? null : field.ToString();
        return null;
    }

    // 1*SD-ELEMENT; SD-ELEMENT = "[" SD-ID *(SP PARAM-NAME "=" DQUOTE PARAM-VALUE DQUOTE) "]". In a value '"', '\' and
    // ']' are escaped with '\'; a backslash before anything else is an ordinary character (§6.3.3).
    private static RecordFailure? ReadStructuredData(ReadOnlySpan<char> s, ref int pos, List<SdElement> elements)
    {
        var value = new StringBuilder();
        while (pos < s.Length && s[pos] == '[')
        {
            pos++;
            if (ReadSdName(s, ref pos, "SD-ID", out var id) is { } f1)
            {
                return f1;
            }

            var element = new SdElement(id, []);
            while (true)
            {
                if (pos >= s.Length)
                {
                    return new RecordFailure("structured_data", pos, $"the message ends inside the element [{id}.");
                }

                if (s[pos] == ']')
                {
                    pos++;
                    break;
                }

                if (s[pos] != ' ')
                {
                    return new RecordFailure("structured_data", pos, $"expected a space or ']' in the element [{id}.");
                }

                pos++;
                if (ReadSdName(s, ref pos, "PARAM-NAME", out var name) is { } f2)
                {
                    return f2;
                }

                if (pos + 1 >= s.Length || s[pos] != '=' || s[pos + 1] != '"')
                {
                    return new RecordFailure("structured_data", pos, $"expected =\"value\" after the parameter {name} in [{id}.");
                }

                pos += 2;
                value.Clear();
                var closed = false;
                while (pos < s.Length)
                {
                    var c = s[pos];
                    if (c == '\\' && pos + 1 < s.Length && s[pos + 1] is '"' or '\\' or ']')
                    {
                        value.Append(s[pos + 1]);
                        pos += 2;
                        continue;
                    }

                    pos++;
                    if (c == '"')
                    {
                        closed = true;
                        break;
                    }

                    value.Append(c);
                }

                if (!closed)
                {
                    return new RecordFailure("structured_data", pos, $"the value of {name} in [{id}] is not closed by '\"'.");
                }

                element.Params.Add(new KeyValuePair<string, string>(name, value.ToString()));
            }

            elements.Add(element);
        }

        return null;
    }

    private static RecordFailure? ReadSdName(ReadOnlySpan<char> s, ref int pos, string what, out string name)
    {
        name = string.Empty;
        var start = pos;
        while (pos < s.Length && s[pos] is > ' ' and <= '~' and not ('=' or ']' or '"'))
        {
            pos++;
        }

        if (pos == start)
        {
            return new RecordFailure("structured_data", start, $"expected an {what} (1 to {MaxSdName} printable US-ASCII characters).");
        }

        if (pos - start > MaxSdName)
        {
            return new RecordFailure("structured_data", start, $"{what} is longer than {MaxSdName} characters.");
        }

        name = s[start..pos].ToString();
        return null;
    }

    // [TIMESTAMP SP [HOSTNAME SP]] [TAG["[" PID "]"] ":" [SP]] CONTENT: the forms found on real networks, per message.
    private static void Read3164(ReadOnlySpan<char> s, int pos, int priority, DateTimeOffset receivedAt, SyslogRecord record)
    {
        record.Priority = priority;
        record.MessageStart = pos;
        var rest = s[pos..];
        int length;
        if (RecordTime.TryParseBsd(rest, out var bsd, out length) && RecordTime.TryPlace(bsd, TimeSpan.Zero, receivedAt, out var at))
        {
            record.Timestamp = at;
        }
        else
        {
            // rsyslog's high-precision form and others put an RFC 3339 time where the BSD one goes.
            var space = rest.IndexOf(' ');
            length = space < 0 ? rest.Length : space;
            if (!RecordTime.TryParseRfc3339(rest[..length], strict: false, out at))
            {
                return;     // No TIMESTAMP: everything after PRI is CONTENT (RFC 3164 §4.3.2).
            }

            record.Timestamp = at;
        }

        pos += length;
        if (pos < s.Length && s[pos] != ' ')
        {
            record.Timestamp = null;
            return;
        }

        while (pos < s.Length && s[pos] == ' ')
        {
            pos++;
        }

        // HOSTNAME, unless the next word is already the TAG ("app:" or "app[42]:"): senders that leave the host out.
        var wordEnd = s[pos..].IndexOf(' ');
        var word = wordEnd < 0 ? s[pos..] : s.Slice(pos, wordEnd);
        if (!word.IsEmpty && word[^1] != ':' && !word.Contains('['))
        {
            record.Hostname = word.ToString();
            pos += word.Length;
            while (pos < s.Length && s[pos] == ' ')
            {
                pos++;
            }
        }

        record.MessageStart = pos;
        ReadTag(s, pos, record);
    }

    private static void ReadTag(ReadOnlySpan<char> s, int pos, SyslogRecord record)
    {
        var start = pos;
        while (pos < s.Length && pos - start <= MaxTag && s[pos] is not (' ' or ':' or '[' or ']'))
        {
            pos++;
        }

        if (pos == start || pos - start > MaxTag || pos >= s.Length)
        {
            return;
        }

        var tag = s[start..pos];
        string? pid = null;
        if (s[pos] == '[')
        {
            var close = s[pos..].IndexOf(']');
            if (close < 2)
            {
                return;
            }

            pid = s.Slice(pos + 1, close - 1).ToString();
            pos += close + 1;
        }

        if (pos < s.Length && s[pos] == ':')
        {
            pos++;
        }
        else if (pid is null || (pos < s.Length && s[pos] != ' '))
        {
            return;     // A word followed by a space is CONTENT, not a TAG ("Use the BFG!").
        }

        if (pos < s.Length && s[pos] == ' ')
        {
            pos++;
        }

        record.AppName = tag.ToString();
        record.ProcId = pid;
        record.MessageStart = pos;
    }

    private static string? ExternalIdOf(SyslogRecord record)
    {
        foreach (var element in record.StructuredData)
        {
            foreach (var (name, value) in element.Params)
            {
                if ((name.Equals("id", StringComparison.OrdinalIgnoreCase) || name.Equals("eventId", StringComparison.OrdinalIgnoreCase))
                    && !string.IsNullOrWhiteSpace(value))
                {
                    return value.Trim();
                }
            }
        }

        return null;
    }

    private static void WriteMetadata(Utf8JsonWriter w, SyslogRecord record, RecordContext context)
    {
        w.WriteString("syslog_format", record.IsRfc5424 ? "RFC5424" : "RFC3164");
        w.WriteNumber("facility", record.Priority / 8);
        w.WriteNumber("syslog_severity", record.Priority % 8);
        WriteIfAny(w, "app_name", record.AppName);
        WriteIfAny(w, "procid", record.ProcId);
        WriteIfAny(w, "msgid", record.MsgId);
        if (record.Hostname is not null && !context.KeepsAsSource(record.Hostname))
        {
            w.WriteString("hostname", record.Hostname);
        }

        if (record.StructuredData.Count > 0)
        {
            WriteStructuredData(w, record.StructuredData);
        }
    }

    /// <summary>
    /// <c>structured_data</c>: an object per SD-ID, a value per parameter name; a name given several times in one element
    /// (RFC 5424 allows it) is a list, and an SD-ID repeated in one message (which it forbids) joins the first.
    /// </summary>
    internal static void WriteStructuredData(Utf8JsonWriter w, List<SdElement> elements)
    {
        w.WriteStartObject("structured_data");
        foreach (var group in elements.GroupBy(e => e.Id, StringComparer.Ordinal))
        {
            w.WriteStartObject(group.Key);
            foreach (var parameter in group.SelectMany(e => e.Params).GroupBy(p => p.Key, StringComparer.Ordinal))
            {
                var values = parameter.Select(p => p.Value).ToList();
                if (values.Count == 1)
                {
                    w.WriteString(parameter.Key, values[0]);
                    continue;
                }

                w.WriteStartArray(parameter.Key);
                values.ForEach(w.WriteStringValue);
                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteIfAny(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}

/// <summary>A syslog message read into its parts; MSG is the record's text from <see cref="MessageStart"/>.</summary>
internal sealed class SyslogRecord
{
    public int Priority { get; set; }
    public bool IsRfc5424 { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public string? Hostname { get; set; }
    public string? AppName { get; set; }
    public string? ProcId { get; set; }
    public string? MsgId { get; set; }
    public List<SdElement> StructuredData { get; } = [];
    public int MessageStart { get; set; }
}

internal sealed record SdElement(string Id, List<KeyValuePair<string, string>> Params);
