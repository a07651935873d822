using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Domain.UnitTests.Sensors;

/// <summary>A sensor's limits and defaults at their edges, and why a write is refused.</summary>
public sealed class SensorBoundaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_sensor_owns_at_most_100_sources()
    {
        var hundred = Enumerable.Range(0, Sensor.MaxSources).Select(i => $"s{i}").ToList();

        var sensor = Sensor.Create("ids", SensorKind.Ids, null, hundred, null, Now);
        var more = () => sensor.Update(null, [.. hundred, "one-more"], null, null);

        sensor.Sources.Should().HaveCount(Sensor.MaxSources);
        more.Should().Throw<ArgumentException>();
        sensor.Sources.Should().HaveCount(Sensor.MaxSources);
    }

    [Fact]
    public void An_empty_source_list_at_creation_means_the_sensor_owns_its_name_and_no_description_is_empty()
    {
        var sensor = Sensor.Create("edge", SensorKind.Firewall, null, [], null, Now);

        sensor.Sources.Select(s => s.Source).Should().Equal("edge");
        sensor.Description.Should().BeEmpty();
    }

    [Fact]
    public void An_update_changes_what_it_names()
    {
        var sensor = Sensor.Create("edr", SensorKind.Edr, "old", null, grouping: true, Now);

        sensor.Update("  new  ", [], isActive: null, grouping: false);

        sensor.Description.Should().Be("new");
        sensor.Grouping.Should().BeFalse();
        sensor.IsActive.Should().BeTrue();
        sensor.Sources.Should().BeEmpty("an admin may take every source away");
    }

    [Fact]
    public void A_key_without_a_name_is_named_empty_and_a_name_is_trimmed()
    {
        ApiKey.Issue(1, null, "abcdefgh2345", new byte[32], null, Now).Name.Should().BeEmpty();
        ApiKey.Issue(1, "  primary ", "abcdefgh2345", new byte[32], null, Now).Name.Should().Be("primary");
    }

    [Fact]
    public void Each_refusal_says_why_in_its_own_words()
    {
        var reasons = new[]
        {
            SourceOwnership.Refusal(owner: null, callerSensor: 1),
            SourceOwnership.Refusal(owner: 1, callerSensor: null),
            SourceOwnership.Refusal(owner: 1, callerSensor: 2),
        };

        reasons.Should().OnlyContain(r => !string.IsNullOrWhiteSpace(r)).And.OnlyHaveUniqueItems();
        reasons[0].Should().Contain("does not own");
        reasons[1].Should().Contain("only that sensor's API keys");
        reasons[2].Should().Contain("another sensor");
    }
}
