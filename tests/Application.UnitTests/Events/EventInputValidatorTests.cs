using System.Net;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Application.Events.IngestEvent;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Events;

public sealed class EventInputValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private readonly EventInputValidator _validator = new(new FakeTimeProvider(Now));

    private static EventInput Valid => new()
    {
        Source = "fw-1",
        EventType = "port_scan",
        Severity = Severity.High,
        SourceIp = IPAddress.Parse("2001:db8::1"),
        DestinationIp = IPAddress.Parse("10.0.0.1"),
        Metadata = """{"k": 1}""",
    };

    [Fact]
    public void A_complete_valid_event_passes()
    {
        _validator.Validate(Valid).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Occurred_at_up_to_five_minutes_ahead_is_accepted_and_beyond_is_refused()
    {
        _validator.Validate(Valid with { OccurredAt = Now.AddMinutes(5) }).IsValid.Should().BeTrue();
        _validator.Validate(Valid with { OccurredAt = Now.AddMinutes(5).AddSeconds(1) }).Errors
            .Should().ContainSingle(e => e.PropertyName == nameof(EventInput.OccurredAt));
    }

    [Fact]
    public void Metadata_over_64_kib_is_refused()
    {
        var big = $$"""{"k": "{{new string('x', SecurityEvent.MetadataMaxBytes)}}"}""";

        _validator.Validate(Valid with { Metadata = big }).Errors
            .Should().ContainSingle(e => e.PropertyName == nameof(EventInput.Metadata));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Source_and_event_type_are_required(string? text)
    {
        var result = _validator.Validate(Valid with { Source = text!, EventType = text! });

        result.Errors.Select(e => e.PropertyName).Should().BeEquivalentTo(nameof(EventInput.Source), nameof(EventInput.EventType));
    }

    [Fact]
    public void Ingest_command_applies_the_same_rules()
    {
        var validator = new IngestEventCommandValidator(new FakeTimeProvider(Now));

        var result = validator.Validate(new IngestEventCommand(Valid with { Source = new string('s', SecurityEvent.SourceMaxLength + 1) }));

        result.Errors.Should().ContainSingle(e => e.PropertyName == nameof(EventInput.Source));
    }

    [Fact]
    public void Valid_input_becomes_a_domain_event_with_the_received_time_as_default()
    {
        var caller = Substitute.For<ICurrentUser>();
        caller.Id.Returns(3);
        var securityEvent = Valid.ToDomain(caller, receivedAt: Now);

        securityEvent.Source.Should().Be("fw-1");
        securityEvent.Severity.Should().Be(Severity.High);
        securityEvent.OccurredAt.Should().Be(Now);
        securityEvent.Metadata.Should().Be("""{"k": 1}""");
        securityEvent.IngestedById.Should().Be(3);
        securityEvent.Fingerprint.Should().BeNull("a user's events never group");
    }

    [Fact]
    public void A_grouping_sensors_event_carries_its_fingerprint()
    {
        var caller = Substitute.For<ICurrentUser>();
        caller.SensorId.Returns(7);
        caller.SensorGroups.Returns(true);

        var securityEvent = Valid.ToDomain(caller, receivedAt: Now);

        securityEvent.Fingerprint.Should().Be(new AlertFingerprint(7, "fw-1", Valid.EventType, Valid.SourceIp, Valid.DestinationIp));
    }
}
