using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Sensors;

/// <summary>Two API processes on one database: what one revokes, the other refuses within 2 s without asking the database per request.</summary>
public sealed class KeyRevocationAcrossHostsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_key_revoked_on_one_host_is_refused_by_another_host_with_a_warm_cache_within_two_seconds()
    {
        await using var hostB = factory.OnSameDatabase();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var onB = hostB.ClientWithKey(sensor.Key);
        var cacheB = await TrustedCacheAsync(hostB);
        await onB.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));
        cacheB.TryGet(Prefix(sensor.Key), out _).Should().BeTrue("host B answers this key from its cache now");

        (await admin.DeleteAsync(SensorsApi.Key(sensor.SensorId, sensor.KeyId))).EnsureSuccessStatusCode();

        var took = await SensorsApi.ShouldBecomeUnauthorizedAsync(() => onB.IngestAsync(EventsApi.NewEvent("LOW", sensor.Source)), Propagation);
        took.Should().BeLessThan(Propagation);
    }

    [Fact]
    public async Task A_sensor_deactivated_on_one_host_stops_its_keys_on_another_host_within_two_seconds()
    {
        await using var hostB = factory.OnSameDatabase();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var onB = hostB.ClientWithKey(sensor.Key);
        await TrustedCacheAsync(hostB);
        await onB.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));

        (await admin.PatchAsync(SensorsApi.Sensor(sensor.SensorId), System.Net.Http.Json.JsonContent.Create(new { is_active = false }))).EnsureSuccessStatusCode();

        await SensorsApi.ShouldBecomeUnauthorizedAsync(() => onB.IngestAsync(EventsApi.NewEvent("LOW", sensor.Source)), Propagation);
    }

    [Fact]
    public async Task While_its_listener_is_down_a_host_does_not_trust_its_cache()
    {
        await using var hostB = factory.OnSameDatabase();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var onB = hostB.ClientWithKey(sensor.Key);
        var cacheB = await TrustedCacheAsync(hostB);
        await onB.IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));

        await TerminateListenersAsync();
        await WaitUntilAsync(() => !cacheB.IsTrusted);

        cacheB.TryGet(Prefix(sensor.Key), out _).Should().BeFalse();
        await WaitUntilAsync(() => cacheB.IsTrusted);
    }

    private static string Prefix(string key) => key.Split('_')[1];

    /// <summary>Starts the host and waits until its listener is connected (its cache is only used from then on).</summary>
    private static async Task<ApiKeyCache> TrustedCacheAsync(ApiFactory host)
    {
        host.CreateClient().Dispose();
        var cache = host.Services.GetRequiredService<ApiKeyCache>();
        await WaitUntilAsync(() => cache.IsTrusted);
        return cache;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the listener should have changed state by now");
            await Task.Delay(25);
        }
    }

    // Only this test class's database: other classes' listeners are left alone.
    private async Task TerminateListenersAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(factory.ConnectionString).Database;
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid() AND (query LIKE 'LISTEN%' OR query LIKE '%cache listener ping%')",
            connection);
        command.Parameters.AddWithValue("db", database!);
        ((long)(await command.ExecuteScalarAsync())!).Should().BeGreaterThan(0);
    }
}
