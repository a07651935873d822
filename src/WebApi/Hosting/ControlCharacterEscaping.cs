using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace ThreatPlatform.WebApi.Hosting;

/// <summary>
/// User-supplied text reaches the log as property values (the name tried at a sign-in, a request path), and the text
/// format writes them as they are: a CR/LF would forge log lines and an ESC would drive the terminal of whoever reads
/// the log. Before any sink sees an event, every control character in its string values (C0, DEL, C1, and the Unicode
/// line and paragraph separators) is written as an escape: <c>\n</c>, <c>\r</c>, <c>\t</c>, else <c>\uXXXX</c>.
/// The JSON format escapes the result once more, harmlessly.
/// </summary>
internal sealed class ControlCharacterEscaping : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (Escaped(value) is { } escaped)
            {
                (changed ??= []).Add(new LogEventProperty(name, escaped));
            }
        }

        foreach (var property in changed ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>The value with its strings escaped, or null when nothing in it needed escaping.</summary>
    private static LogEventPropertyValue? Escaped(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when NeedsEscaping(text) => new ScalarValue(Escape(text)),
        SequenceValue sequence when sequence.Elements.Any(e => Escaped(e) is not null) =>
            new SequenceValue(sequence.Elements.Select(e => Escaped(e) ?? e)),
        StructureValue structure when structure.Properties.Any(p => Escaped(p.Value) is not null) =>
            new StructureValue(structure.Properties.Select(p => Escaped(p.Value) is { } e ? new LogEventProperty(p.Name, e) : p), structure.TypeTag),
        DictionaryValue dictionary when dictionary.Elements.Any(e => Escaped(e.Key) is not null || Escaped(e.Value) is not null) =>
            new DictionaryValue(dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>(
                Escaped(e.Key) as ScalarValue ?? e.Key, Escaped(e.Value) ?? e.Value))),
        _ => null,
    };

    internal static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': escaped.Append("\\n"); break;
                case '\r': escaped.Append("\\r"); break;
                case '\t': escaped.Append("\\t"); break;
                case var other when IsControl(other):
                    escaped.Append("\\u").Append(((int)other).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: escaped.Append(c); break;
            }
        }

        return escaped.ToString();
    }

    private static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
