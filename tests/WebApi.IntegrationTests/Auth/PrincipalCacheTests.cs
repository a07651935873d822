using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>
/// Each API process keeps who a token's user is (role, active) and who owns a source in memory, so a request costs no
/// lookup for them. What changes through a process applies there at its next request; what changes anywhere else
/// arrives by NOTIFY, within 2 s; while a process cannot listen it believes nothing it cached.
/// </summary>
public sealed class PrincipalCacheTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_user_deactivated_through_the_api_is_refused_at_their_next_request_with_a_warm_cache()
    {
        var caches = await TrustedCachesAsync(factory);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var anonymous = factory.CreateClient();
        var user = await anonymous.SignUpAsync();
        (await anonymous.GetWithTokenAsync(AuthApi.Me, user.Access)).StatusCode.Should().Be(HttpStatusCode.OK);
        caches.Users.TryGet(user.Id, out _).Should().BeTrue("this host answers the user from its cache now");

        (await admin.PatchJsonAsync(AuthApi.User(user.Id), new { is_active = false })).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await anonymous.GetWithTokenAsync(AuthApi.Me, user.Access)).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task A_promotion_through_the_api_takes_effect_at_the_next_request_with_a_warm_cache()
    {
        await TrustedCachesAsync(factory);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var (analyst, user) = await factory.SignInAsync(UserRole.Analyst);
        (await analyst.GetAsync(AuthApi.Users)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await admin.PatchJsonAsync(AuthApi.User(user.Id), new { role = "ADMIN" })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await analyst.GetAsync(AuthApi.Users)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_user_deactivated_on_one_host_is_refused_by_another_host_with_a_warm_cache_within_two_seconds()
    {
        await using var hostB = factory.OnSameDatabase();
        var cachesB = await TrustedCachesAsync(hostB);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var onB = hostB.CreateClient();
        var user = await onB.SignUpAsync();
        (await onB.GetWithTokenAsync(AuthApi.Me, user.Access)).StatusCode.Should().Be(HttpStatusCode.OK);
        cachesB.Users.TryGet(user.Id, out _).Should().BeTrue("host B answers the user from its cache now");

        (await admin.PatchJsonAsync(AuthApi.User(user.Id), new { is_active = false })).StatusCode.Should().Be(HttpStatusCode.OK);

        var took = await SensorsApi.ShouldBecomeUnauthorizedAsync(() => onB.GetWithTokenAsync(AuthApi.Me, user.Access), Propagation);
        took.Should().BeLessThan(Propagation);
    }

    [Fact]
    public async Task A_source_a_new_sensor_claims_is_refused_to_a_user_at_once_though_they_wrote_it_before()
    {
        await TrustedCachesAsync(factory);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = SensorsApi.NewName("claimed");
        await analyst.IngestOkAsync(EventsApi.NewEvent("LOW", source));

        await admin.CreateSensorOkAsync(sources: [source], claimExisting: true);

        await (await analyst.IngestAsync(EventsApi.NewEvent("LOW", source))).ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task A_source_claimed_through_one_host_is_refused_by_another_host_within_two_seconds()
    {
        await using var hostB = factory.OnSameDatabase();
        await TrustedCachesAsync(hostB);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analystOnB = hostB.CreateClient();
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);
        analystOnB.DefaultRequestHeaders.Authorization = new("Bearer", ApiFactory.MintToken(analyst.Id, analyst.Username, UserRole.Analyst));
        var source = SensorsApi.NewName("claimed");
        await analystOnB.IngestOkAsync(EventsApi.NewEvent("LOW", source));

        await admin.CreateSensorOkAsync(sources: [source], claimExisting: true);

        var started = System.Diagnostics.Stopwatch.StartNew();
        while ((int)(await analystOnB.IngestAsync(EventsApi.NewEvent("LOW", source))).StatusCode != 403)
        {
            started.Elapsed.Should().BeLessThan(Propagation, "host B should have heard that the source is owned by now");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task While_its_listener_is_down_a_host_does_not_trust_its_user_cache()
    {
        await using var hostB = factory.OnSameDatabase();
        var cachesB = await TrustedCachesAsync(hostB);
        var onB = hostB.CreateClient();
        var user = await onB.SignUpAsync();
        (await onB.GetWithTokenAsync(AuthApi.Me, user.Access)).StatusCode.Should().Be(HttpStatusCode.OK);

        await TerminateListenersAsync();
        await WaitUntilAsync(() => !cachesB.Users.IsTrusted);

        cachesB.Users.TryGet(user.Id, out _).Should().BeFalse();
        await WaitUntilAsync(() => cachesB.Users.IsTrusted);
    }

    /// <summary>Starts the host and waits until its listener is connected (its caches are only used from then on).</summary>
    private static async Task<Caches> TrustedCachesAsync(ApiFactory host)
    {
        host.CreateClient().Dispose();
        var caches = host.Services.GetRequiredService<Caches>();
        var sourceOwners = host.Services.GetRequiredService<ThreatPlatform.Infrastructure.Sensors.SourceOwnerCache>();
        await WaitUntilAsync(() => caches.Users.IsTrusted && sourceOwners.Owners.IsTrusted);
        return caches;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the listener should have changed state by now");
            await Task.Delay(20);
        }
    }

    private async Task TerminateListenersAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(factory.ConnectionString).Database;
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid() AND (query LIKE 'LISTEN%' OR query LIKE '%cache listener ping%')",
            connection);
        command.Parameters.AddWithValue("db", database!);
        await command.ExecuteScalarAsync();
    }
}
