using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Events;

/// <summary>An event's detection block (API.md v1.1): each field's bound, refused naming detection.&lt;field&gt;.</summary>
public sealed class DetectionValidationTests
{
    private readonly EventInputValidator _validator = new(new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero)));

    private static EventInput With(Detection detection) =>
        new() { Source = "model-1", EventType = "anomaly", Severity = Severity.High, Detection = detection };

    private static readonly Detection Valid = new("llm-detector", "2.1", 0.9, "T1059.001");

    [Fact]
    public void A_complete_detection_passes() => _validator.Validate(With(Valid)).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void A_detection_names_its_model(string? model) =>
        Errors(Valid with { Model = model! }).Should().Equal("Detection.Model");

    [Theory]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void A_model_name_is_at_most_100_characters(int length, bool valid) =>
        _validator.Validate(With(Valid with { Model = new string('m', length) })).IsValid.Should().Be(valid);

    [Fact]
    public void A_model_version_is_at_most_50_characters()
    {
        _validator.Validate(With(Valid with { ModelVersion = new string('v', 50) })).IsValid.Should().BeTrue();
        Errors(Valid with { ModelVersion = new string('v', 51) }).Should().Equal("Detection.ModelVersion");
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(1.0, true)]
    [InlineData(-0.01, false)]
    [InlineData(1.01, false)]
    public void Confidence_is_between_0_and_1(double confidence, bool valid) =>
        Errors(Valid with { Confidence = confidence }).Should().HaveCount(valid ? 0 : 1);

    [Theory]
    [InlineData("T1059", true)]
    [InlineData("T1059.001", true)]
    [InlineData(null, true)]
    [InlineData("T105", false)]
    [InlineData("T1059.1", false)]
    [InlineData("t1059", false)]
    public void A_technique_is_a_mitre_attack_id(string? technique, bool valid) =>
        Errors(Valid with { Technique = technique }).Should().Equal(valid ? [] : ["Detection.Technique"]);

    private List<string> Errors(Detection detection) => [.. _validator.Validate(With(detection)).Errors.Select(e => e.PropertyName)];
}
