using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// What every format checks before reading a record, and the mapping rules they share. A record is refused, never
/// altered, when it is longer than <see cref="MaxRawBytes"/> (the event keeps it whole in <c>raw</c>, so a cut record
/// would not be the record as received), not UTF-8, or holds a NUL or an unpaired surrogate (PostgreSQL stores neither;
/// native ingest refuses them too).
/// </summary>
internal static class RecordText
{
    /// <summary>The longest record kept: the event's <c>raw</c> holds it whole.</summary>
    public const int MaxRawBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_metadataBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_metadataWriter;

    public static readonly JsonWriterOptions MetadataWriterOptions = new()
    {
        // The text is stored as jsonb, never put into HTML: keep non-ASCII as it is instead of \u-escaping it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    /// <summary>The record without the line ending its framing left (LF, CRLF).</summary>
    public static ReadOnlySpan<byte> WithoutLineEnd(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\n')
        {
            line = line[..^1];
        }

        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return line;
    }

    public static ReadOnlySpan<char> WithoutLineEnd(ReadOnlySpan<char> line)
    {
        if (!line.IsEmpty && line[^1] == '\n')
        {
            line = line[..^1];
        }

        if (!line.IsEmpty && line[^1] == '\r')
        {
            line = line[..^1];
        }

        return line;
    }

    /// <summary>The reason a UTF-8 record cannot be kept, or null when it can.</summary>
    public static RecordFailure? Refusal(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return new RecordFailure("line", 0, "the record is empty.");
        }

        if (utf8.Length > MaxRawBytes)
        {
            return TooLong(utf8.Length);
        }

        if (!Utf8.IsValid(utf8))
        {
            var at = FirstInvalidByte(utf8);
            return new RecordFailure("line", at, $"the record is not valid UTF-8 (byte {at}); send UTF-8 text.");
        }

        var nul = utf8.IndexOf((byte)0);
        return nul >= 0 ? Nul("line", nul) : null;
    }

    /// <summary>The reason a UTF-16 record cannot be kept (NUL, unpaired surrogate, too long), or null when it can.</summary>
    public static RecordFailure? Refusal(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return new RecordFailure("line", 0, "the record is empty.");
        }

        if (text.Length > MaxRawBytes)
        {
            return TooLong(Encoding.UTF8.GetByteCount(text));
        }

        if (UnstorableAt(text) is { } at)
        {
            return text[at] == '\0' ? Nul("line", at) : Surrogate("line", at);
        }

        var bytes = Encoding.UTF8.GetByteCount(text);
        return bytes > MaxRawBytes ? TooLong(bytes) : null;
    }

    /// <summary>Where <paramref name="text"/> holds a NUL or an unpaired surrogate; null when it holds neither.</summary>
    public static int? UnstorableAt(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return i;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return i;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return i;
            }
        }

        return null;
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> utf8)
    {
        var at = 0;
        while (at < utf8.Length && Rune.DecodeFromUtf8(utf8[at..], out _, out var consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        return at;
    }

    public static RecordFailure Nul(string part, int at) =>
        new(part, at, "the record holds a NUL character, which cannot be stored.");

    public static RecordFailure Surrogate(string part, int at) =>
        new(part, at, "the record holds an unpaired UTF-16 surrogate, which cannot be stored.");

    /// <summary>CEF's bands, also used for ECS's event.severity: 0–3 LOW, 4–6 MEDIUM, 7–8 HIGH, 9–10 CRITICAL.</summary>
    public static Severity? FromZeroToTen(long value) => value switch
    {
        >= 0 and <= 3 => Severity.Low,
        >= 4 and <= 6 => Severity.Medium,
        7 or 8 => Severity.High,
        9 or 10 => Severity.Critical,
        _ => null,
    };

    /// <summary>
    /// A description fits the event's limit: free text (a syslog MSG) longer than it is cut there, never inside a
    /// surrogate pair; the whole text stays in <c>raw</c>. Blank is no description.
    /// </summary>
    public static string? Description(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            return null;
        }

        if (text.Length <= SecurityEvent.DescriptionMaxLength)
        {
            return text.ToString();
        }

        var cut = SecurityEvent.DescriptionMaxLength;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return text[..cut].ToString();
    }

    /// <summary>Runs <paramref name="write"/> on a writer over a JSON object and returns the object's text.</summary>
    public static string Metadata<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        // One buffer and writer per thread, reused record after record: a raw body builds one object per line.
        var buffer = t_metadataBuffer ?? new ArrayBufferWriter<byte>(1024);
        var writer = t_metadataWriter ?? new Utf8JsonWriter(buffer, MetadataWriterOptions);
        t_metadataBuffer = null;
        t_metadataWriter = null;
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        write(writer, state);
        writer.WriteEndObject();
        writer.Flush();
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity <= MaxRawBytes)
        {
            t_metadataBuffer = buffer;
            t_metadataWriter = writer;
        }

        return text;
    }

    private static RecordFailure TooLong(int bytes) => new(
        "line",
        MaxRawBytes,
        $"the record is {bytes} bytes; at most {MaxRawBytes} (64 KiB) are accepted, so that the event keeps it whole.");
}
