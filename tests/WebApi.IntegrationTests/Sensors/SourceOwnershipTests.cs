using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Sensors;

public sealed class SourceOwnershipTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_user_token_posting_a_sensor_owned_source_is_a_403_naming_source()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.IngestAsync(EventsApi.NewEvent("HIGH", sensor.Source));

        (await response.ShouldBeProblemAsync(403)).ErrorFields().Should().Equal("source");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == sensor.Source))).Should().Be(0);
    }

    [Fact]
    public async Task Another_sensors_key_posting_an_owned_source_is_a_403_naming_source()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var owner = await factory.SensorWithKeyAsync(admin);
        var other = await factory.SensorWithKeyAsync(admin);

        var response = await other.Client.IngestAsync(EventsApi.NewEvent("LOW", owner.Source));

        (await response.ShouldBeProblemAsync(403)).ErrorFields().Should().Equal("source");
    }

    [Fact]
    public async Task A_key_posting_a_source_its_sensor_does_not_own_is_a_403()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var response = await sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", SensorsApi.NewName("unowned")));

        (await response.ShouldBeProblemAsync(403)).ErrorFields().Should().Equal("source");
    }

    [Fact]
    public async Task A_key_writes_every_source_its_sensor_owns()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sources = new[] { SensorsApi.NewName("a"), SensorsApi.NewName("b") };
        var sensor = await factory.SensorWithKeyAsync(admin, sources);

        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sources[0]));
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sources[1]));
    }

    [Fact]
    public async Task In_a_users_batch_owned_sources_are_rejected_alone_and_the_rest_stored()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var free = BatchApi.NewSource();

        var answer = await (await analyst.PostBatchAsync(BatchApi.Event(free), BatchApi.Event(sensor.Source), BatchApi.Event(free))).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
        answer.Rejected.Should().ContainSingle().Which.Should().Match<RejectedAnswer>(r => r.Index == 1 && r.Errors.Keys.Single() == "source");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == free))).Should().Be(2);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == sensor.Source))).Should().Be(0);
    }

    [Fact]
    public async Task In_a_keys_batch_other_sensors_and_unowned_sources_are_rejected_and_its_own_stored()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var other = await factory.SensorWithKeyAsync(admin);
        var unowned = BatchApi.NewSource();

        var answer = await (await sensor.Client.PostBatchAsync(
            BatchApi.Event(other.Source), BatchApi.Event(sensor.Source, "HIGH"), BatchApi.Event(unowned), BatchApi.Event(sensor.Source))).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
        answer.Rejected.Select(r => r.Index).Should().Equal(0, 2);
        answer.Rejected.Should().OnlyContain(r => r.Errors.Keys.Single() == "source");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == sensor.Source && e.SensorId == sensor.SensorId))).Should().Be(2);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == other.Source || e.Source == unowned))).Should().Be(0);
    }
}
