using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Domain.UnitTests.Sensors;

public sealed class SensorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_sensor_is_active_groups_and_owns_its_name_when_given_no_sources()
    {
        var sensor = Sensor.Create("  Edge-FW ", SensorKind.Firewall, null, null, null, Now);

        sensor.Name.Should().Be("Edge-FW");
        sensor.NormalizedName.Should().Be("edge-fw");
        sensor.IsActive.Should().BeTrue();
        sensor.Grouping.Should().BeTrue();
        sensor.Sources.Select(s => s.Source).Should().Equal("Edge-FW");
    }

    [Fact]
    public void Sources_are_trimmed_and_kept_once()
    {
        var sensor = Sensor.Create("ids", SensorKind.Ids, null, [" a ", "a", "b"], grouping: false, Now);

        sensor.Sources.Select(s => s.Source).Should().Equal("a", "b");
        sensor.Grouping.Should().BeFalse();
    }

    [Fact]
    public void Replacing_sources_keeps_the_ones_still_owned_and_drops_the_others()
    {
        var sensor = Sensor.Create("ids", SensorKind.Ids, null, ["a", "b"], null, Now);
        var kept = sensor.Sources.Single(s => s.Source == "a");

        sensor.Update(null, ["a", "c"], null, null);

        sensor.Sources.Select(s => s.Source).Should().BeEquivalentTo("a", "c");
        sensor.Sources.Should().Contain(kept);
    }

    [Fact]
    public void An_update_leaves_absent_fields_as_they_are()
    {
        var sensor = Sensor.Create("edr", SensorKind.Edr, "agent fleet", null, null, Now);

        sensor.Update(null, null, isActive: false, null);

        sensor.Description.Should().Be("agent fleet");
        sensor.IsActive.Should().BeFalse();
        sensor.Grouping.Should().BeTrue();
        sensor.Sources.Select(s => s.Source).Should().Equal("edr");
    }

    [Fact]
    public void Revoking_a_key_twice_keeps_the_first_revocation_time()
    {
        var key = ApiKey.Issue(1, "k", "abcdefgh2345", new byte[32], null, Now);

        key.Revoke(Now.AddMinutes(1));
        key.Revoke(Now.AddMinutes(2));

        key.RevokedAt.Should().Be(Now.AddMinutes(1));
    }

    [Fact]
    public void A_key_is_usable_until_it_expires_or_is_revoked()
    {
        ApiKey.IsUsable(null, null, Now).Should().BeTrue();
        ApiKey.IsUsable(null, Now.AddSeconds(1), Now).Should().BeTrue();
        ApiKey.IsUsable(null, Now, Now).Should().BeFalse();
        ApiKey.IsUsable(Now.AddDays(-1), null, Now).Should().BeFalse();
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(7L, 7L, true)]
    [InlineData(7L, null, false)]
    [InlineData(7L, 8L, false)]
    [InlineData(null, 8L, false)]
    public void Only_the_owning_sensors_keys_write_an_owned_source_and_keys_only_their_own(long? owner, long? caller, bool allowed) =>
        (SourceOwnership.Refusal(owner, caller) is null).Should().Be(allowed);

    [Fact]
    public void Writing_a_source_one_may_not_is_refused_naming_source()
    {
        var refused = () => SourceOwnership.EnsureMayWrite(owner: 7, callerSensor: null);

        refused.Should().Throw<SourceNotOwned>().Which.Member.Should().Be("Source");
    }
}
