using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.IngestEvent;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Application.UnitTests.Events;

public sealed class EventInputValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private readonly EventInputValidator _validator = new(new FakeTimeProvider(Now));

    private static EventInput Valid => new()
    {
        Source = "fw-1",
        EventType = "port_scan",
        Severity = "high",
        SourceIp = "2001:db8::1",
        DestinationIp = "10.0.0.1",
        Metadata = JsonDocument.Parse("""{"k": 1}""").RootElement,
    };

    [Fact]
    public void A_complete_valid_event_passes()
    {
        _validator.Validate(Valid).IsValid.Should().BeTrue();
    }

    [Theory]
    [InlineData("10.0.0")]
    [InlineData("1")]
    [InlineData("300.1.1.1")]
    [InlineData("fe80::zz")]
    public void Malformed_ips_are_refused(string ip)
    {
        var result = _validator.Validate(Valid with { SourceIp = ip });

        result.Errors.Should().ContainSingle(e => e.PropertyName == nameof(EventInput.SourceIp));
    }

    [Fact]
    public void Occurred_at_up_to_five_minutes_ahead_is_accepted_and_beyond_is_refused()
    {
        _validator.Validate(Valid with { OccurredAt = Now.AddMinutes(5) }).IsValid.Should().BeTrue();
        _validator.Validate(Valid with { OccurredAt = Now.AddMinutes(5).AddSeconds(1) }).Errors
            .Should().ContainSingle(e => e.PropertyName == nameof(EventInput.OccurredAt));
    }

    [Fact]
    public void Metadata_must_be_an_object()
    {
        var result = _validator.Validate(Valid with { Metadata = JsonDocument.Parse("[1]").RootElement });

        result.Errors.Should().ContainSingle(e => e.PropertyName == nameof(EventInput.Metadata));
    }

    [Fact]
    public void Severity_error_lists_the_allowed_values()
    {
        var result = _validator.Validate(Valid with { Severity = "urgent" });

        result.Errors.Should().ContainSingle().Which.ErrorMessage.Should().Contain("LOW, MEDIUM, HIGH, CRITICAL");
    }

    [Fact]
    public void Ingest_command_applies_the_same_rules()
    {
        var validator = new IngestEventCommandValidator(new FakeTimeProvider(Now));

        var result = validator.Validate(new IngestEventCommand { Source = " ", EventType = "x", Severity = "LOW" });

        result.Errors.Should().ContainSingle(e => e.PropertyName == nameof(EventInput.Source));
    }

    [Fact]
    public void Valid_input_becomes_a_trimmed_domain_event_in_utc()
    {
        var input = Valid with { Source = "  fw-1 ", ExternalId = " ext-1 ", OccurredAt = new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.FromHours(1)) };

        var securityEvent = input.ToDomain(ingestedBy: 3, receivedAt: Now);

        securityEvent.Source.Should().Be("fw-1");
        securityEvent.ExternalId.Should().Be("ext-1");
        securityEvent.Severity.Should().Be(Severity.High);
        securityEvent.OccurredAt.Offset.Should().Be(TimeSpan.Zero);
        securityEvent.OccurredAt.Should().Be(Now);
        securityEvent.Metadata.Should().Be("""{"k": 1}""");
        securityEvent.IngestedById.Should().Be(3);
    }
}
