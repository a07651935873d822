using System.Diagnostics.CodeAnalysis;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// What the parsers need to know about the sensor a record came from: the sources it owns (the first is its default, and
/// a host name outside them is replaced by it) and when the record arrived (a year-less RFC 3164 time is placed by it).
/// </summary>
public sealed record RecordContext(IReadOnlyList<string> Sources, DateTimeOffset ReceivedAt)
{
    /// <summary>
    /// The event's source for a record that names <paramref name="reported"/> (null when it names none): the reported
    /// name when the sensor owns it (or owns nothing to compare with), else the sensor's first source. Null only when
    /// neither exists.
    /// </summary>
    internal string? SourceFor(string? reported)
    {
        if (!string.IsNullOrWhiteSpace(reported) && (Sources.Count == 0 || Sources.Contains(reported.Trim(), StringComparer.Ordinal)))
        {
            return reported.Trim();
        }

        return Sources.Count > 0 ? Sources[0] : null;
    }

    /// <summary>Whether <paramref name="reported"/> becomes the event's source as it is (else it stays in metadata).</summary>
    internal bool KeepsAsSource(string? reported) =>
        !string.IsNullOrWhiteSpace(reported) && SourceFor(reported) == reported.Trim();
}

/// <summary>A record read into an event: the ingest model, plus the format it came in and the record as received.</summary>
public sealed record ParsedEvent(EventInput Input, EventFormat Format, string Raw);

/// <summary>
/// Why a record could not be read: the part that failed (<c>line</c>, <c>header</c>, <c>timestamp</c>, a field name…),
/// where (a character offset into the record, or a byte offset for encoding problems, as <see cref="Message"/> says),
/// and what was wrong.
/// </summary>
public sealed record RecordFailure(string Part, int At, string Message)
{
    public string Reason => $"{Part}: {Message} (at {At})";

    public override string ToString() => Reason;
}

/// <summary>One record's outcome: an event, or the reason it is not one.</summary>
public readonly record struct RecordParseResult(ParsedEvent? Event, RecordFailure? Failure)
{
    [MemberNotNullWhen(true, nameof(Event))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsParsed => Event is not null;

    public static implicit operator RecordParseResult(ParsedEvent parsed) => new(parsed, null);

    public static implicit operator RecordParseResult(RecordFailure failure) => new(null, failure);
}
