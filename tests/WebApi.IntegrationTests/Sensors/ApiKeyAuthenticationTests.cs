using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Sensors;

public sealed class ApiKeyAuthenticationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_key_ingests_one_event_recorded_as_its_sensors_and_no_users()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var stored = await sensor.Client.IngestOkAsync(EventsApi.NewEvent("HIGH", sensor.Source));

        stored.GetProperty("sensor").GetInt64().Should().Be(sensor.SensorId);
        stored.GetProperty("ingested_by").ValueKind.Should().Be(JsonValueKind.Null);
        stored.GetProperty("alert_id").ValueKind.Should().Be(JsonValueKind.Number);
    }

    [Fact]
    public async Task A_key_sent_as_X_Api_Key_works_too()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var stored = await factory.ClientWithKey(sensor.Key, asXApiKey: true).IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));

        stored.GetProperty("sensor").GetInt64().Should().Be(sensor.SensorId);
    }

    [Fact]
    public async Task A_key_ingests_a_batch_recorded_as_its_sensors()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var answer = await (await sensor.Client.PostBatchAsync(BatchApi.Event(sensor.Source, "CRITICAL"), BatchApi.Event(sensor.Source))).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
        answer.AlertsCreated.Should().Be(1);
        var stored = await factory.WithDbAsync(db => db.Events.Where(e => e.Source == sensor.Source).Select(e => new { e.SensorId, e.IngestedById }).ToListAsync());
        stored.Should().HaveCount(2).And.OnlyContain(e => e.SensorId == sensor.SensorId && e.IngestedById == null);
    }

    [Fact]
    public async Task A_key_records_when_it_was_last_used()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));
        var keys = await admin.GetJsonAsync(SensorsApi.Keys(sensor.SensorId));

        keys[0].GetProperty("last_used_at").ValueKind.Should().Be(JsonValueKind.String);
    }

    [Theory]
    [InlineData("tp_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task An_unknown_or_malformed_key_is_a_401_problem(string key)
    {
        var client = factory.ClientWithKey(key, asXApiKey: true);

        var response = await client.IngestAsync(EventsApi.NewEvent("LOW"));

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task A_key_with_a_wrong_secret_is_a_401()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var forged = sensor.Key[..^4] + (sensor.Key.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        var response = await factory.ClientWithKey(forged).IngestAsync(EventsApi.NewEvent("LOW", sensor.Source));

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task A_revoked_key_is_a_401_within_two_seconds()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));

        (await admin.DeleteAsync(SensorsApi.Key(sensor.SensorId, sensor.KeyId))).EnsureSuccessStatusCode();

        await SensorsApi.ShouldBecomeUnauthorizedAsync(() => sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", sensor.Source)), Propagation);
        await (await sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", sensor.Source))).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task An_expired_key_is_a_401()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        await factory.WithDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = {sensor.KeyId}"));

        var response = await sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", sensor.Source));

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Deactivating_a_sensor_stops_its_keys_and_reactivating_restores_them()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));

        (await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { is_active = false })).EnsureSuccessStatusCode();
        await SensorsApi.ShouldBecomeUnauthorizedAsync(() => sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", sensor.Source)), Propagation);
        (await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { is_active = true })).EnsureSuccessStatusCode();

        await sensor.Client.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));
    }

    [Theory]
    [InlineData("/api/alerts/")]
    [InlineData("/api/events/")]
    [InlineData("/api/sensors/")]
    [InlineData("/api/users/")]
    [InlineData("/api/auth/me/")]
    public async Task A_valid_key_anywhere_but_ingest_is_a_403_problem(string path)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var response = await sensor.Client.GetAsync(new Uri(path, UriKind.Relative));

        await response.ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task A_key_cannot_create_sensors_or_keys()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var response = await sensor.Client.PostJsonAsync(SensorsApi.Keys(sensor.SensorId), new { });

        await response.ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task Bearer_tokens_still_work_beside_api_keys()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var stored = await analyst.IngestOkAsync(EventsApi.NewEvent("LOW"));

        stored.GetProperty("sensor").ValueKind.Should().Be(JsonValueKind.Null);
        stored.GetProperty("ingested_by").ValueKind.Should().Be(JsonValueKind.Number);
    }

    [Fact]
    public async Task An_ApiKey_authorization_header_with_a_malformed_key_is_a_401()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", "tp_garbage");

        var response = await client.GetAsync(EventsApi.Alerts);

        await response.ShouldBeProblemAsync(401);
    }
}
