using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace ThreatPlatform.WebApi.Hosting;

/// <summary>
/// The console log's format, from the LogFormat setting: <c>text</c> (one readable line per event, the default) or
/// <c>json</c> (Serilog's compact JSON, one object per line, for log shippers). Sinks configured under Serilog:WriteTo
/// replace this console sink.
/// </summary>
internal static class LogOutput
{
    public const string Setting = "LogFormat";
    internal const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration logger, IConfiguration configuration) =>
        configuration.GetSection("Serilog:WriteTo").Exists() ? logger : logger.WriteToConsole(configuration[Setting]);

    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration logger, string? format, TextWriter? output = null)
    {
        var json = (format ?? "text").Trim().ToLowerInvariant() switch
        {
            "text" or "" => false,
            "json" => true,
            _ => throw new InvalidOperationException($"{Setting} must be text or json, not '{format}'."),
        };
        if (output is not null)
        {
            ITextFormatter formatter = json ? new CompactJsonFormatter() : new MessageTemplateTextFormatter(TextTemplate);
            return logger.WriteTo.Sink(new WriterSink(formatter, output));
        }

        return json
            ? logger.WriteTo.Console(new CompactJsonFormatter())
            : logger.WriteTo.Console(outputTemplate: TextTemplate);
    }

    /// <summary>The console's formatting into any writer (tests read what the console would show).</summary>
    private sealed class WriterSink(ITextFormatter formatter, TextWriter output) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            lock (output)
            {
                formatter.Format(logEvent, output);
            }
        }
    }
}
