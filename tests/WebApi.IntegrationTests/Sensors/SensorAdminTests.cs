using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Sensors;

public sealed class SensorAdminTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Admin_creates_a_sensor_that_owns_its_name_as_source_by_default()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var name = SensorsApi.NewName("ids");

        var response = await admin.CreateSensorAsync(new { name, kind = "AI_MODEL", description = "triage model" });

        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        var sensor = await EventsApi.JsonAsync(response);
        response.Headers.Location!.ToString().Should().Be($"/api/sensors/{sensor.GetProperty("id").GetInt64()}/");
        sensor.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "id", "name", "kind", "description", "sources", "is_active", "grouping", "created_at", "last_seen_at", "events_ingested",
            "format", "syslog_networks", "logsource");
        sensor.GetProperty("kind").GetString().Should().Be("AI_MODEL");
        sensor.GetProperty("sources").EnumerateArray().Select(s => s.GetString()).Should().Equal(name);
        sensor.GetProperty("is_active").GetBoolean().Should().BeTrue();
        sensor.GetProperty("grouping").GetBoolean().Should().BeTrue();
        sensor.GetProperty("last_seen_at").ValueKind.Should().Be(JsonValueKind.Null);
        sensor.GetProperty("events_ingested").GetInt64().Should().Be(0);
    }

    [Fact]
    public async Task Sensor_figures_come_from_the_events_its_keys_ingested()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));

        var read = await admin.GetJsonAsync(SensorsApi.Sensor(sensor.SensorId));

        read.GetProperty("events_ingested").GetInt64().Should().Be(2);
        read.GetProperty("last_seen_at").ValueKind.Should().Be(JsonValueKind.String);
    }

    [Fact]
    public async Task Admin_lists_sensors_filtered_by_kind_activity_and_search()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var edr = await admin.CreateSensorOkAsync(name: $"edr-{marker}", kind: "EDR");
        await admin.CreateSensorOkAsync(name: $"fw-{marker}", kind: "FIREWALL");

        var page = await admin.GetJsonAsync($"/api/sensors/?kind=EDR&is_active=true&search={marker}");

        page.Ids().Should().Equal(edr.GetProperty("id").GetInt64());
        page.GetProperty("count").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task Admin_changes_description_sources_activity_and_grouping()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await admin.CreateSensorOkAsync();
        var id = sensor.GetProperty("id").GetInt64();
        var sources = new[] { SensorsApi.NewName("src"), SensorsApi.NewName("src") };

        var response = await admin.PatchJsonAsync(SensorsApi.Sensor(id), new { description = "edge fw", sources, is_active = false, grouping = false });

        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
        var changed = await EventsApi.JsonAsync(response);
        changed.GetProperty("description").GetString().Should().Be("edge fw");
        changed.GetProperty("sources").EnumerateArray().Select(s => s.GetString()).Should().BeEquivalentTo(sources);
        changed.GetProperty("is_active").GetBoolean().Should().BeFalse();
        changed.GetProperty("grouping").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task A_source_another_sensor_owns_is_a_409_naming_sources()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var first = await admin.CreateSensorOkAsync();
        var taken = first.GetProperty("sources")[0].GetString()!;

        var created = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "IDS", sources = new[] { taken } });
        var second = await admin.CreateSensorOkAsync();
        var patched = await admin.PatchJsonAsync(SensorsApi.Sensor(second.GetProperty("id").GetInt64()), new { sources = new[] { taken } });

        (await created.ShouldBeProblemAsync(409)).ErrorFields().Should().Equal("sources");
        (await patched.ShouldBeProblemAsync(409)).ErrorFields().Should().Equal("sources");
    }

    [Fact]
    public async Task A_name_taken_in_another_case_is_a_409_naming_name()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var name = SensorsApi.NewName("Edge");
        await admin.CreateSensorOkAsync(name: name);

        var response = await admin.CreateSensorAsync(new { name = name.ToUpperInvariant(), kind = "FIREWALL", sources = new[] { SensorsApi.NewName() } });

        (await response.ShouldBeProblemAsync(409)).ErrorFields().Should().Equal("name");
    }

    [Fact]
    public async Task Invalid_sensor_fields_are_one_400_naming_each()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var badKind = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "TOASTER" });
        var missing = await admin.CreateSensorAsync(new { name = " ", kind = "IDS", sources = new[] { "", new string('s', 256) } });
        var tooLong = await admin.CreateSensorAsync(new { name = new string('n', 101), kind = "IDS", description = new string('d', 2001) });
        var tooMany = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "IDS", sources = Enumerable.Range(0, 101).Select(i => $"s{i}-{Guid.NewGuid():N}").ToArray() });

        (await badKind.ShouldBeProblemAsync(400)).ErrorFields().Should().BeEquivalentTo("kind");
        (await missing.ShouldBeProblemAsync(400)).ErrorFields().Should().BeEquivalentTo("name", "sources");
        (await tooLong.ShouldBeProblemAsync(400)).ErrorFields().Should().BeEquivalentTo("name", "description");
        (await tooMany.ShouldBeProblemAsync(400)).ErrorFields().Should().BeEquivalentTo("sources");
    }

    [Fact]
    public async Task A_key_is_shown_once_and_its_list_never_shows_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensorId = (await admin.CreateSensorOkAsync()).GetProperty("id").GetInt64();

        var created = await admin.CreateKeyOkAsync(sensorId, new { name = "rotation-1", expires_at = DateTimeOffset.UtcNow.AddDays(30) });
        var listed = await admin.GetJsonAsync(SensorsApi.Keys(sensorId));

        created.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("id", "prefix", "key", "created_at", "expires_at");
        var key = created.GetProperty("key").GetString()!;
        key.Should().MatchRegex("^tp_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$").And.StartWith($"tp_{created.GetProperty("prefix").GetString()}_");
        var item = listed.EnumerateArray().Should().ContainSingle().Subject;
        item.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at");
        item.GetProperty("name").GetString().Should().Be("rotation-1");
        listed.GetRawText().Should().NotContain(key[$"tp_{created.GetProperty("prefix").GetString()}_".Length..], "the secret (which may itself hold '_') is never listed");
    }

    [Fact]
    public async Task A_key_expiring_in_the_past_is_a_400_naming_expires_at()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensorId = (await admin.CreateSensorOkAsync()).GetProperty("id").GetInt64();

        var response = await admin.PostJsonAsync(SensorsApi.Keys(sensorId), new { expires_at = DateTimeOffset.UtcNow.AddMinutes(-1) });

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("expires_at");
    }

    [Fact]
    public async Task Revoking_a_key_is_a_204_and_revoking_it_again_too()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var first = await admin.DeleteAsync(SensorsApi.Key(sensor.SensorId, sensor.KeyId));
        var again = await admin.DeleteAsync(SensorsApi.Key(sensor.SensorId, sensor.KeyId));
        var listed = await admin.GetJsonAsync(SensorsApi.Keys(sensor.SensorId));

        ((int)first.StatusCode).Should().Be(204);
        ((int)again.StatusCode).Should().Be(204);
        listed[0].GetProperty("revoked_at").ValueKind.Should().Be(JsonValueKind.String);
    }

    [Fact]
    public async Task Unknown_sensor_or_key_is_a_404()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        await (await admin.GetAsync(SensorsApi.Sensor(long.MaxValue))).ShouldBeProblemAsync(404);
        await (await admin.PostJsonAsync(SensorsApi.Keys(long.MaxValue), new { })).ShouldBeProblemAsync(404);
        await (await admin.DeleteAsync(SensorsApi.Key(sensor.SensorId, long.MaxValue))).ShouldBeProblemAsync(404);
    }

    [Theory]
    [InlineData("/api/sensors/")]
    [InlineData("/api/sensors/1/keys/")]
    public async Task Analyst_on_sensor_endpoints_gets_a_403(string path)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.GetAsync(new Uri(path, UriKind.Relative));

        await response.ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task Analyst_cannot_create_a_sensor()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "IDS" });

        await response.ShouldBeProblemAsync(403);
    }
}
