using System.Net;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.UnitTests.Events;

/// <summary>
/// The idempotency rule: a report under a stored (source, external_id) is a retry only when it says the same thing;
/// anything else is a conflict, so a key cannot replace or suppress another report.
/// </summary>
public sealed class RepeatedEventTests
{
    private static readonly DateTimeOffset OccurredAt = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);
    private static readonly Detection Model = new("llm-detector", "2.1", 0.93, "T1059.001");

    private static SecurityEvent Report(
        string source = "fw-1",
        string externalId = "ext-1",
        string eventType = "port_scan",
        Severity severity = Severity.High,
        string? description = "probe",
        DateTimeOffset? occurredAt = null,
        bool omitOccurredAt = false,
        string? sourceIp = "10.0.0.1",
        string? destinationIp = "2001:db8::1",
        string? metadata = """{"rule": 42, "tags": ["a", "b"]}""",
        Detection? detection = null,
        bool noDetection = false) =>
        SecurityEvent.Ingest(
            source,
            eventType,
            severity,
            description,
            omitOccurredAt ? null : occurredAt ?? OccurredAt,
            sourceIp is null ? null : IPAddress.Parse(sourceIp),
            destinationIp is null ? null : IPAddress.Parse(destinationIp),
            metadata,
            externalId,
            null,
            3,
            EventBuilder.Now,
            noDetection ? null : detection ?? Model);

    [Fact]
    public void The_same_report_again_is_a_repeat()
    {
        Report().IsRepeatedBy(Report()).Should().BeTrue();
    }

    public static TheoryData<string, SecurityEvent> Different => new()
    {
        { "source", Report(source: "fw-2") },
        { "external_id", Report(externalId: "ext-2") },
        { "event_type", Report(eventType: "brute_force") },
        { "severity", Report(severity: Severity.Critical) },
        { "description", Report(description: "probe!") },
        { "occurred_at", Report(occurredAt: OccurredAt.AddTicks(10)) },
        { "source_ip", Report(sourceIp: "10.0.0.2") },
        { "source_ip absent", Report(sourceIp: null) },
        { "destination_ip", Report(destinationIp: "2001:db8::2") },
        { "metadata", Report(metadata: """{"rule": 43, "tags": ["a", "b"]}""") },
        { "metadata absent", Report(metadata: null) },
        { "detection", Report(detection: Model with { Confidence = 0.5 }) },
        { "detection absent", Report(noDetection: true) },
    };

    [Theory]
    [MemberData(nameof(Different))]
    public void A_report_that_differs_in_any_field_is_not_a_repeat(string field, SecurityEvent other)
    {
        Report().IsRepeatedBy(other).Should().BeFalse($"{field} differs");
        other.IsRepeatedBy(Report()).Should().BeFalse($"{field} differs, either way round");
    }

    [Fact]
    public void Metadata_is_compared_as_json_so_key_order_and_white_space_do_not_matter()
    {
        var stored = Report(metadata: """{"rule":42,"tags":["a","b"]}""");

        stored.IsRepeatedBy(Report(metadata: """{ "tags": ["a", "b"],  "rule": 42 }""")).Should().BeTrue();
        stored.IsRepeatedBy(Report(metadata: """{"rule":42,"tags":["b","a"]}""")).Should().BeFalse("array order is meaning");
    }

    [Fact]
    public void Occurred_at_matches_to_the_microsecond_postgresql_keeps()
    {
        var stored = Report(occurredAt: OccurredAt);

        stored.IsRepeatedBy(Report(occurredAt: OccurredAt.AddTicks(9))).Should().BeTrue("under a microsecond apart");
        stored.IsRepeatedBy(Report(occurredAt: OccurredAt.AddTicks(-9))).Should().BeTrue("under a microsecond apart, earlier");
        stored.IsRepeatedBy(Report(occurredAt: OccurredAt.AddTicks(-10))).Should().BeFalse("a whole microsecond apart");
    }

    [Fact]
    public void A_repeat_that_omits_occurred_at_matches_any_stored_time()
    {
        Report(occurredAt: OccurredAt.AddDays(-3)).IsRepeatedBy(Report(omitOccurredAt: true)).Should().BeTrue();
    }

    [Fact]
    public void A_repeat_that_gives_occurred_at_must_match_a_stored_received_time()
    {
        var storedWithout = Report(omitOccurredAt: true);

        storedWithout.OccurredAtGiven.Should().BeFalse();
        storedWithout.IsRepeatedBy(Report(occurredAt: EventBuilder.Now)).Should().BeTrue();
        storedWithout.IsRepeatedBy(Report(occurredAt: EventBuilder.Now.AddSeconds(-1))).Should().BeFalse();
    }

    [Fact]
    public void A_detection_is_none_without_a_model_and_confidence_defaults_to_zero()
    {
        Detection.Of(null, "1", 0.5, "T1059").Should().BeNull();
        Detection.Of("m", null, null, null).Should().Be(new Detection("m", null, 0, null));
        Report(noDetection: true).Detection.Should().BeNull();
        Report().Detection.Should().Be(Model);
    }
}
