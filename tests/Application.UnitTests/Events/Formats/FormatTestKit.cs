using System.Text;
using System.Text.Json;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Application.Events.Formats;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

/// <summary>Reads one record as a sensor would send it (UTF-8 bytes) and opens the outcome for assertions.</summary>
internal static class FormatTestKit
{
    public static readonly DateTimeOffset ReceivedAt = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A sensor that owns nothing to compare with: every host name is kept as the source.</summary>
    public static readonly RecordContext AnySource = new([], ReceivedAt);

    public static RecordContext Owning(params string[] sources) => new(sources, ReceivedAt);

    public static RecordParseResult Parse(EventFormat format, string line, RecordContext? context = null) =>
        RecordParser.Parse(format, Encoding.UTF8.GetBytes(line), context ?? AnySource);

    public static EventInput Event(EventFormat format, string line, RecordContext? context = null)
    {
        var result = Parse(format, line, context);
        result.IsParsed.Should().BeTrue(result.Failure?.Reason);
        result.Event!.Format.Should().Be(format);
        result.Event.Raw.Should().Be(line.TrimEnd('\n', '\r'));
        return result.Event.Input;
    }

    public static RecordFailure Failure(EventFormat format, string line, RecordContext? context = null)
    {
        var result = Parse(format, line, context);
        result.IsParsed.Should().BeFalse("the record should be refused, but read as {0}", result.Event?.Input);
        return result.Failure!;
    }

    public static JsonElement Metadata(this EventInput input)
    {
        input.Metadata.Should().NotBeNull();
        using var document = JsonDocument.Parse(input.Metadata!);
        return document.RootElement.Clone();
    }

    public static string? Text(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;
}
