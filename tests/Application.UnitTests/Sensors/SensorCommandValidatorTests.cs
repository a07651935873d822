using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Application.Sensors.CreateApiKey;
using ThreatPlatform.Application.Sensors.CreateSensor;
using ThreatPlatform.Application.Sensors.UpdateSensor;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.UnitTests.Sensors;

/// <summary>A sensor's and a key's field bounds, each refused naming its field.</summary>
public sealed class SensorCommandValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly CreateSensorCommandValidator Create = new();
    private static readonly UpdateSensorCommandValidator Update = new();
    private readonly CreateApiKeyCommandValidator _key = new(new FakeTimeProvider(Now));

    private static CreateSensorCommand Sensor(string name = "edge", string? description = null, IReadOnlyList<string>? sources = null, SensorKind kind = SensorKind.Firewall) =>
        new(name, kind, description, sources, null);

    [Theory]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("e", true)]
    public void A_sensor_needs_a_name(string name, bool valid) =>
        Create.Validate(Sensor(name)).IsValid.Should().Be(valid);

    [Fact]
    public void A_name_is_at_most_100_characters_not_counting_the_spaces_around_it()
    {
        Create.Validate(Sensor(" " + new string('n', 100) + " ")).IsValid.Should().BeTrue();
        Create.Validate(Sensor(new string('n', 101))).Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Name");
    }

    [Fact]
    public void A_kind_outside_the_list_is_refused() =>
        Create.Validate(Sensor(kind: (SensorKind)42)).Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Kind");

    [Theory]
    [InlineData(2_000, true)]
    [InlineData(2_001, false)]
    public void A_description_is_at_most_2000_characters(int length, bool valid)
    {
        Create.Validate(Sensor(description: new string('d', length))).IsValid.Should().Be(valid);
        Update.Validate(new UpdateSensorCommand(1, new string('d', length), null, null, null)).IsValid.Should().Be(valid);
    }

    [Theory]
    [InlineData(100, 255, true)]
    [InlineData(101, 5, false)]
    [InlineData(1, 256, false)]
    public void A_sensor_owns_at_most_100_sources_of_1_to_255_characters(int count, int length, bool valid)
    {
        var sources = Enumerable.Range(0, count).Select(i => $"{i:D3}".PadRight(length, 's')).ToList();

        Create.Validate(Sensor(sources: sources)).IsValid.Should().Be(valid);
        Update.Validate(new UpdateSensorCommand(1, null, sources, null, null)).IsValid.Should().Be(valid);
    }

    [Fact]
    public void A_blank_source_is_refused_and_the_spaces_around_one_do_not_count()
    {
        Create.Validate(Sensor(sources: ["a", "  "])).Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Sources");
        Create.Validate(Sensor(sources: ["  " + new string('s', 255) + "  "])).IsValid.Should().BeTrue();
    }

    [Fact]
    public void An_update_may_leave_sources_alone_but_not_empty_them()
    {
        Update.Validate(new UpdateSensorCommand(1, null, null, null, null)).IsValid.Should().BeTrue();
        Update.Validate(new UpdateSensorCommand(1, null, [], null, null)).Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Sources");
    }

    [Fact]
    public void A_key_name_is_at_most_100_characters_and_may_be_absent()
    {
        _key.Validate(new CreateApiKeyCommand(1, null, null)).IsValid.Should().BeTrue();
        _key.Validate(new CreateApiKeyCommand(1, " " + new string('k', 100) + " ", null)).IsValid.Should().BeTrue();
        _key.Validate(new CreateApiKeyCommand(1, new string('k', 101), null)).Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Name");
    }

    [Fact]
    public void A_key_expires_in_the_future()
    {
        _key.Validate(new CreateApiKeyCommand(1, null, Now.AddSeconds(1))).IsValid.Should().BeTrue();
        _key.Validate(new CreateApiKeyCommand(1, null, Now)).Errors.Should().ContainSingle().Which.PropertyName.Should().Be("ExpiresAt");
    }
}
