using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// ArcSight Common Event Format: <c>CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class
/// ID|Name|Severity|Extension</c>, alone or as the text of a syslog message (a syslog header before <c>CEF:</c>).
/// <para>
/// Header: '|' separates fields; <c>\|</c> and <c>\\</c> are a literal pipe and backslash. Extension: <c>key=value</c>
/// pairs separated by spaces; a value may hold spaces and runs to the next <c> key=</c>; <c>\=</c>, <c>\\</c>, <c>\n</c>
/// and <c>\r</c> are an equals sign, a backslash, a line feed and a carriage return. A custom field's label
/// (<c>cs1Label=Rule cs1=Block-SMB</c>, and likewise cn, cfp, flexString, flexNumber, flexDate, deviceCustomDate, c6a)
/// names it in metadata (<c>"Rule": "Block-SMB"</c>).
/// </para>
/// <para>
/// Mapping (API.md): source <c>dvchost</c>, else the sensor's first source; event_type Device Event Class ID; severity
/// 0–3 LOW, 4–6 MEDIUM, 7–8 HIGH, 9–10 CRITICAL, or Low / Medium / High / Very-High (Unknown is LOW); description Name;
/// source_ip / destination_ip <c>src</c> / <c>dst</c>; occurred_at <c>rt</c> (milliseconds since the epoch or a CEF
/// date: <c>MMM dd [yyyy] HH:mm:ss[.SSS] [zone]</c>), else the syslog header's time; external_id <c>externalId</c>;
/// metadata every other extension, the header fields, and the syslog header's parts.
/// </para>
/// </summary>
public static class CefParser
{
    private const string Marker = "CEF:";

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
        var s = raw.AsSpan();
        var start = FindMarker(s);
        if (start < 0)
        {
            return new RecordFailure("header", 0, "no 'CEF:' header: expected CEF:Version|Vendor|Product|Version|Class ID|Name|Severity|Extension.");
        }

        SyslogRecord? syslog = null;
        var prefix = s[..start].TrimEnd();
        if (!prefix.IsEmpty && SyslogParser.Read(prefix, context.ReceivedAt, out var header) is null)
        {
            syslog = header;
        }

        if (ReadHeader(raw, start + Marker.Length, out var fields, out var extensionStart) is { } headerFailure)
        {
            return headerFailure;
        }

        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return new RecordFailure("header.version", start + Marker.Length, $"'{Shorten(fields[0])}' is not a CEF version number.");
        }

        var classId = fields[4].Trim();
        if (classId.Length == 0)
        {
            return new RecordFailure("header.device_event_class_id", extensionStart, "the Device Event Class ID is empty.");
        }

        if (SeverityOf(fields[6]) is not { } severity)
        {
            return new RecordFailure("header.severity", extensionStart, $"'{Shorten(fields[6])}' is not a CEF severity (0–10, or Unknown, Low, Medium, High, Very-High).");
        }

        if (ReadExtension(s, extensionStart, out var extension) is { } extensionFailure)
        {
            return extensionFailure;
        }

        var dvchost = Value(extension, "dvchost");
        var source = context.SourceFor(dvchost);
        if (source is null)
        {
            return new RecordFailure("extension.dvchost", extensionStart, "no dvchost, and the sensor owns no source to use instead.");
        }

        if (Ip(extension, "src", extensionStart, out var sourceIp) is { } srcFailure)
        {
            return srcFailure;
        }

        if (Ip(extension, "dst", extensionStart, out var destinationIp) is { } dstFailure)
        {
            return dstFailure;
        }

        var occurredAt = syslog?.Timestamp;
        if (Value(extension, "rt") is { } rt)
        {
            if (!TryParseTime(rt, context.ReceivedAt, out var at))
            {
                return new RecordFailure("extension.rt", extensionStart, $"'{Shorten(rt)}' is neither milliseconds since the epoch nor a CEF date (MMM dd yyyy HH:mm:ss[.SSS] [zone]).");
            }

            occurredAt = at;
        }

        // Extensions mapped to the event's own fields are not repeated in metadata; dvchost only when it became the source.
        var dvchostIsSource = context.KeepsAsSource(dvchost);

        var input = new EventInput
        {
            Source = source,
            EventType = classId,
            Severity = severity,
            Description = RecordText.Description(fields[5]),
            OccurredAt = occurredAt,
            SourceIp = sourceIp,
            DestinationIp = destinationIp,
            ExternalId = Value(extension, "externalId")?.Trim() is { Length: > 0 } externalId ? externalId : null,
            Metadata = RecordText.Metadata(
                (version, fields, extension, dvchostIsSource, syslog, prefix: prefix.ToString()),
                static (w, m) => WriteMetadata(w, m.version, m.fields, m.extension, m.dvchostIsSource, m.syslog, m.prefix)),
        };
        return new ParsedEvent(input, EventFormat.Cef, raw);
    }

    // "CEF:" at the start, or after the syslog header (preceded by a space).
    private static int FindMarker(ReadOnlySpan<char> s)
    {
        var offset = 0;
        while (true)
        {
            var at = s[offset..].IndexOf(Marker, StringComparison.Ordinal);
            if (at < 0)
            {
                return -1;
            }

            at += offset;
            if (at == 0 || s[at - 1] == ' ')
            {
                return at;
            }

            offset = at + Marker.Length;
        }
    }

    /// <summary>The seven header fields (unescaped) and where the extension starts (after the seventh unescaped '|').</summary>
    private static RecordFailure? ReadHeader(string raw, int pos, out string[] fields, out int extensionStart)
    {
        fields = new string[7];
        extensionStart = 0;
        var count = 0;
        var s = raw.AsSpan();
        while (pos < s.Length && count < 7)
        {
            var start = pos;
            var escaped = false;
            while (pos < s.Length && s[pos] != '|')
            {
                if (s[pos] == '\\' && pos + 1 < s.Length && s[pos + 1] is '|' or '\\')
                {
                    escaped = true;
                    pos += 2;
                    continue;
                }

                pos++;
            }

            if (pos == s.Length)
            {
                break;
            }

            // Most fields hold no escape: a slice of the record, without a builder.
            fields[count++] = escaped ? UnescapeHeaderField(s[start..pos]) : raw.Substring(start, pos - start);
            pos++;
        }

        if (count < 7)
        {
            return new RecordFailure("header", pos, $"expected 7 '|'-separated header fields before the extension, found {count} (a truncated record?).");
        }

        extensionStart = pos;
        return null;
    }

    private static string UnescapeHeaderField(ReadOnlySpan<char> field)
    {
        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 1 < field.Length && field[i + 1] is '|' or '\\')
            {
                i++;
            }

            text.Append(field[i]);
        }

        return text.ToString();
    }

    /// <summary>
    /// The extension's pairs, in order. A key is a word of letters, digits, '_', '.', '-', '[' or ']' that starts the
    /// extension or follows a space, directly followed by an unescaped '='; any other '=' belongs to a value (a URL's
    /// query, for instance). A key given twice keeps its last value.
    /// </summary>
    private static RecordFailure? ReadExtension(ReadOnlySpan<char> s, int start, out List<KeyValuePair<string, string>> pairs)
    {
        pairs = new List<KeyValuePair<string, string>>(IndexFrom);
        var keys = new List<(int KeyStart, int EqualsAt)>(IndexFrom);
        for (var i = start; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                i++;
                continue;
            }

            if (s[i] != '=')
            {
                continue;
            }

            var keyStart = i;
            while (keyStart > start && IsKeyChar(s[keyStart - 1]))
            {
                keyStart--;
            }

            if (keyStart < i && (keyStart == start || s[keyStart - 1] == ' '))
            {
                keys.Add((keyStart, i));
            }
        }

        var firstText = start;
        while (firstText < s.Length && s[firstText] == ' ')
        {
            firstText++;
        }

        if (firstText < s.Length && (keys.Count == 0 || keys[0].KeyStart != firstText))
        {
            return new RecordFailure("extension", firstText, "expected key=value pairs separated by spaces.");
        }

        // A few keys are looked up by a scan; past that many, by a dictionary (a hostile line may hold thousands).
        Dictionary<string, int>? index = null;
        for (var k = 0; k < keys.Count; k++)
        {
            var (keyStart, equals) = keys[k];
            var end = k + 1 < keys.Count ? keys[k + 1].KeyStart : s.Length;
            var text = s[(equals + 1)..end].TrimEnd(' ');
            var key = s[keyStart..equals].ToString();
            var pair = new KeyValuePair<string, string>(key, text.Contains('\\') ? UnescapeValue(text) : text.ToString());
            if (pairs.Count == IndexFrom && index is null)
            {
                index = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < pairs.Count; i++)
                {
                    index[pairs[i].Key] = i;
                }
            }

            var at = index is not null ? (index.TryGetValue(key, out var found) ? found : -1) : IndexOf(pairs, key);
            if (at >= 0)
            {
                pairs[at] = pair;
            }
            else
            {
                index?.Add(key, pairs.Count);
                pairs.Add(pair);
            }
        }

        return null;
    }

    private const int IndexFrom = 16;

    private static string UnescapeValue(ReadOnlySpan<char> text)
    {
        var value = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                var escaped = text[i + 1] switch { '=' => '=', '\\' => '\\', 'n' => '\n', 'r' => '\r', _ => (char?)null };
                if (escaped is { } e)
                {
                    value.Append(e);
                    i++;
                    continue;
                }
            }

            value.Append(text[i]);
        }

        return value.ToString();
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '[' or ']';

    private static Severity? SeverityOf(string text)
    {
        var trimmed = text.Trim();
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return RecordText.FromZeroToTen(number);
        }

        return trimmed.ToUpperInvariant() switch
        {
            "UNKNOWN" or "LOW" => Severity.Low,
            "MEDIUM" => Severity.Medium,
            "HIGH" => Severity.High,
            "VERY-HIGH" => Severity.Critical,
            _ => null,
        };
    }

    /// <summary>Milliseconds since the epoch, or a CEF date: <c>MMM dd [yyyy] HH:mm:ss[.SSS] [zone]</c> (no zone: UTC).</summary>
    internal static bool TryParseTime(string text, DateTimeOffset receivedAt, out DateTimeOffset value)
    {
        var s = text.AsSpan().Trim();
        if (RecordTime.TryParseEpochMilliseconds(s, out value))
        {
            return true;
        }

        if (!RecordTime.TryParseBsd(s, out var time, out var length))
        {
            return RecordTime.TryParseRfc3339(s, strict: false, out value);
        }

        var zone = s[length..].Trim();
        var offset = TimeSpan.Zero;
        return (zone.IsEmpty || RecordTime.TryParseZone(zone, out offset)) && RecordTime.TryPlace(time, offset, receivedAt, out value);
    }

    private static RecordFailure? Ip(List<KeyValuePair<string, string>> extension, string key, int at, out IPAddress? ip)
    {
        ip = null;
        var text = Value(extension, key)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var parsed)
            && (parsed.AddressFamily == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3))
        {
            ip = parsed;
            return null;
        }

        return new RecordFailure($"extension.{key}", at, $"'{Shorten(text)}' is not an IPv4 or IPv6 address.");
    }

    private static bool IsLabel(string key) => key.Length > 5 && key.EndsWith("Label", StringComparison.Ordinal);

    private static int IndexOf(List<KeyValuePair<string, string>> extension, ReadOnlySpan<char> key)
    {
        for (var i = 0; i < extension.Count; i++)
        {
            if (key.SequenceEqual(extension[i].Key))
            {
                return i;
            }
        }

        return -1;
    }

    private static string? Value(List<KeyValuePair<string, string>> extension, string key) =>
        IndexOf(extension, key) is var at and >= 0 ? extension[at].Value : null;

    private static bool IsConsumed(string key, bool dvchostIsSource) =>
        key is "src" or "dst" or "rt" or "externalId" || (dvchostIsSource && key == "dvchost");

    private static void WriteMetadata(
        Utf8JsonWriter w,
        int version,
        string[] fields,
        List<KeyValuePair<string, string>> extension,
        bool dvchostIsSource,
        SyslogRecord? syslog,
        string prefix)
    {
        var written = new HashSet<string>(extension.Count + 5, StringComparer.Ordinal)
        {
            "cef_version", "device_vendor", "device_product", "device_version", "cef_severity",
        };
        w.WriteNumber("cef_version", version);
        w.WriteString("device_vendor", fields[1]);
        w.WriteString("device_product", fields[2]);
        w.WriteString("device_version", fields[3]);
        w.WriteString("cef_severity", fields[6].AsSpan().Trim());

        // A custom field takes its label's name; the label itself is then not repeated.
        Dictionary<string, string>? labels = null;
        foreach (var (key, value) in extension)
        {
            if (IsLabel(key) && !string.IsNullOrWhiteSpace(value) && IndexOf(extension, key.AsSpan(0, key.Length - 5)) >= 0)
            {
                (labels ??= new Dictionary<string, string>(StringComparer.Ordinal))[key[..^5]] = value.Trim();
            }
        }

        HashSet<string>? keyNames = null;
        foreach (var (key, value) in extension)
        {
            if (IsConsumed(key, dvchostIsSource) || (labels is not null && IsLabel(key) && labels.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(key.AsSpan(0, key.Length - 5))))
            {
                continue;
            }

            var name = key;
            if (labels is not null && labels.TryGetValue(key, out var label))
            {
                var labelIsAKey = extension.Count <= IndexFrom
                    ? IndexOf(extension, label) >= 0
                    : (keyNames ??= extension.Select(p => p.Key).ToHashSet(StringComparer.Ordinal)).Contains(label);
                if (!labelIsAKey && !written.Contains(label))
                {
                    name = label;
                }
            }

            if (written.Add(name))
            {
                w.WriteString(name, value);
            }
            else if (written.Add(key))
            {
                w.WriteString(key, value);
            }
        }

        if (syslog is not null)
        {
            w.WriteStartObject("syslog");
            w.WriteString("format", syslog.IsRfc5424 ? "RFC5424" : "RFC3164");
            w.WriteNumber("facility", syslog.Priority / 8);
            w.WriteNumber("severity", syslog.Priority % 8);
            if (syslog.Timestamp is { } at)
            {
                w.WriteString("timestamp", at);
            }

            if (syslog.Hostname is not null)
            {
                w.WriteString("hostname", syslog.Hostname);
            }

            if (syslog.AppName is not null)
            {
                w.WriteString("app_name", syslog.AppName);
            }

            w.WriteEndObject();
        }
        else if (prefix.Length > 0)
        {
            w.WriteString("syslog_header", prefix);
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
