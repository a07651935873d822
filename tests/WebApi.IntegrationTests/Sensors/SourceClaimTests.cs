using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Audit;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Sensors;

/// <summary>Sources that somebody seeded with events before the sensor that is to own them existed.</summary>
public sealed class SourceClaimTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Creating_a_sensor_for_sources_others_have_written_is_a_409_naming_sources_with_the_count_per_source()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var squatted = SensorsApi.NewName("edr-prod");
        var alsoSquatted = SensorsApi.NewName("edr-lab");
        var clean = SensorsApi.NewName("edr-new");
        await SquatAsync(squatted, 3);
        await SquatAsync(alsoSquatted, 1);
        var name = SensorsApi.NewName();

        var response = await admin.CreateSensorAsync(new { name, kind = "EDR", sources = new[] { squatted, alsoSquatted, clean } });

        var problem = await response.ShouldBeProblemAsync(409);
        problem.ErrorFields().Should().Equal("sources");
        problem.GetProperty("errors").GetProperty("sources")[0].GetString().Should()
            .Contain($"{squatted}=3").And.Contain($"{alsoSquatted}=1").And.Contain("claim_existing");
        problem.GetProperty("existing_events").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64()))
            .Should().BeEquivalentTo(new[] { (squatted, 3L), (alsoSquatted, 1L) });
        (await factory.WithDbAsync(db => db.Sensors.CountAsync(s => s.Name == name))).Should().Be(0);
    }

    [Fact]
    public async Task A_confirmed_claim_creates_the_sensor_and_is_audited_with_the_sources_and_counts()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var squatted = SensorsApi.NewName("edr-prod");
        await SquatAsync(squatted, 2);

        var response = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "EDR", sources = new[] { squatted }, claim_existing = true });

        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        var sensorId = (await EventsApi.JsonAsync(response)).GetProperty("id").GetInt64();
        var entries = await admin.EntriesAsync($"target=sensor:{sensorId}");
        entries.Select(e => e.Action()).Should().BeEquivalentTo("SENSOR_CREATED", "SENSOR_SOURCES_CLAIMED");
        entries.Single(e => e.Action() == "SENSOR_SOURCES_CLAIMED").Text("detail").Should().Contain($"{squatted}=2");
    }

    [Fact]
    public async Task After_a_confirmed_claim_the_sensors_own_events_with_the_squatted_event_ids_are_stored_and_raise_alerts()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var squatted = SensorsApi.NewName("edr-prod");
        var squatter = await SquatAsync(squatted, 3);
        var sensor = await ClaimedSensorWithKeyAsync(admin, squatted);

        // Event types of their own: the sensor groups, and one fingerprint's events would fold into one alert.
        var batch = await sensor.Client.PostBatchAsync(
            BatchApi.Event(squatted, "HIGH", "evt-1", "malware"), BatchApi.Event(squatted, "HIGH", "evt-2", "ransomware"));
        var single = await sensor.Client.IngestAsync(BatchApi.Event(squatted, "CRITICAL", "evt-3", "credential_theft"));

        var answer = await batch.ShouldBeBatchAnswerAsync();
        answer.Accepted.Should().Be(2);
        answer.AlertsCreated.Should().Be(2);
        single.StatusCode.Should().Be(HttpStatusCode.Created, await single.Content.ReadAsStringAsync());
        (await EventsApi.JsonAsync(single)).GetProperty("alert_id").ValueKind.Should().Be(JsonValueKind.Number);
        var stored = await factory.WithDbAsync(db => db.Events.Where(e => e.Source == squatted)
            .Select(e => new { e.ExternalId, e.SensorId, e.IngestedById }).ToListAsync());
        stored.Where(e => e.SensorId == sensor.SensorId).Select(e => e.ExternalId).Should().BeEquivalentTo("evt-1", "evt-2", "evt-3");
        stored.Where(e => e.SensorId == null).Should().HaveCount(3).And.OnlyContain(e => e.IngestedById == squatter, "the seeded events stay, as their writer's");
    }

    [Fact]
    public async Task A_repeat_of_the_sensors_own_event_after_a_claim_is_still_a_duplicate()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var squatted = SensorsApi.NewName("edr-prod");
        await SquatAsync(squatted, 1);
        var sensor = await ClaimedSensorWithKeyAsync(admin, squatted);
        var sent = BatchApi.Event(squatted, "HIGH", "evt-1");
        (await (await sensor.Client.PostBatchAsync(sent)).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);

        var again = await (await sensor.Client.PostBatchAsync(sent)).ShouldBeBatchAnswerAsync();
        var singleAgain = await sensor.Client.IngestAsync(sent);

        again.Duplicates.Should().Be(1);
        singleAgain.StatusCode.Should().Be(HttpStatusCode.OK, "the sensor's stored event answers its retry");
    }

    [Fact]
    public async Task Adding_a_source_others_have_written_to_a_sensor_is_a_409_unless_confirmed()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));
        var squatted = SensorsApi.NewName("edr-prod");
        await SquatAsync(squatted, 2);

        var refused = await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { sources = new[] { sensor.Source, squatted } });
        var confirmed = await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { sources = new[] { sensor.Source, squatted }, claim_existing = true });

        var problem = await refused.ShouldBeProblemAsync(409);
        problem.ErrorFields().Should().Equal("sources");
        problem.GetProperty("existing_events").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64()))
            .Should().Equal([(squatted, 2L)], "the sensor's own events in the source it already owns are not counted");
        confirmed.StatusCode.Should().Be(HttpStatusCode.OK, await confirmed.Content.ReadAsStringAsync());
        (await (await sensor.Client.PostBatchAsync(BatchApi.Event(squatted, "HIGH", "evt-1"))).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);
        (await admin.EntriesAsync($"target=sensor:{sensor.SensorId}")).Select(e => e.Action()).Should().Contain("SENSOR_SOURCES_CLAIMED");
    }

    [Fact]
    public async Task Sources_nobody_else_has_written_need_no_confirmation()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));

        var response = await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { sources = new[] { sensor.Source, SensorsApi.NewName("fresh") } });

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await admin.EntriesAsync($"target=sensor:{sensor.SensorId}")).Select(e => e.Action()).Should().NotContain("SENSOR_SOURCES_CLAIMED");
    }

    /// <summary>A user writes LOW events evt-1…evt-n under <paramref name="source"/>, which no sensor owns yet; answers the user's id.</summary>
    private async Task<long> SquatAsync(string source, int events)
    {
        var (squatter, user) = await factory.SignInAsync(UserRole.Analyst);
        var batch = Enumerable.Range(1, events).Select(i => (object)BatchApi.Event(source, "LOW", $"evt-{i}")).ToArray();
        (await (await squatter.PostBatchAsync(batch)).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(events);
        return user.Id;
    }

    private async Task<SensorWithKey> ClaimedSensorWithKeyAsync(HttpClient admin, string source)
    {
        var response = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "EDR", sources = new[] { source }, claim_existing = true });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        var sensorId = (await EventsApi.JsonAsync(response)).GetProperty("id").GetInt64();
        var key = await admin.CreateKeyOkAsync(sensorId);
        return new SensorWithKey(sensorId, [source], key.GetProperty("id").GetInt64(), key.GetProperty("key").GetString()!,
            factory.ClientWithKey(key.GetProperty("key").GetString()!));
    }
}
