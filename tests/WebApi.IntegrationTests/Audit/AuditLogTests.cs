using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Audit;

public sealed class AuditLogTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Failed_and_succeeded_sign_ins_are_recorded_with_actor_address_and_target()
    {
        var client = factory.CreateClientFrom("203.0.113.7");
        var user = await client.SignUpAsync();
        await (await client.LoginAsync(user.Username, "not the right password")).ShouldBeProblemAsync(401);
        await (await client.LoginAsync(AuthApi.NewUsername("ghost"), "whatever it is")).ShouldBeProblemAsync(401);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var entries = await admin.EntriesAsync($"target=user:{user.Id}&action=LOGIN_FAILED,LOGIN_SUCCEEDED");

        entries.Select(e => e.Action()).Should().Equal("LOGIN_FAILED", "LOGIN_SUCCEEDED");
        entries.Should().OnlyContain(e => e.Text("ip") == "203.0.113.7" && e.Text("actor") == user.Username
            && e.GetProperty("actor_id").GetInt64() == user.Id);
        entries[0].GetProperty("id").GetInt64().Should().BeGreaterThan(entries[1].GetProperty("id").GetInt64(), "newest first");
        entries.Should().OnlyContain(e => e.Text("hash")!.Length == 64 && e.Text("previous_hash")!.Length == 64);
        var unknown = await admin.EntriesAsync("action=LOGIN_FAILED");
        unknown.Should().Contain(e => e.Text("detail") == "unknown username" && e.Text("target") == null);
    }

    [Fact]
    public async Task Refresh_token_reuse_and_logout_all_are_recorded_against_the_user()
    {
        var client = factory.CreateClient();
        var user = await client.SignUpAsync();
        await client.RefreshAsync(user.Refresh);
        await (await client.RefreshAsync(user.Refresh)).ShouldBeProblemAsync(401);
        (await client.PostWithTokenAsync(new Uri("/api/auth/logout-all/", UriKind.Relative), user.Access, new { })).StatusCode
            .Should().Be(HttpStatusCode.NoContent);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var entries = await admin.EntriesAsync($"target=user:{user.Id}");

        entries.Select(e => e.Action()).Should().StartWith(["LOGOUT_ALL", "REFRESH_TOKEN_REUSED"]);
        entries[1].Text("detail").Should().Contain("2 token(s) revoked");
    }

    [Fact]
    public async Task Role_activation_and_approval_changes_are_recorded_with_the_admin_as_actor()
    {
        var (admin, adminUser) = await factory.SignInAsync(UserRole.Admin);
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);
        await admin.PatchJsonAsync(AuthApi.User(analyst.Id), new { role = "ADMIN" });
        await admin.PatchJsonAsync(AuthApi.User(analyst.Id), new { is_active = false });
        await admin.PatchJsonAsync(AuthApi.User(analyst.Id), new { is_active = true, role = "ANALYST" });

        var entries = await admin.EntriesAsync($"target=user:{analyst.Id}");

        entries.Select(e => (e.Action(), e.Text("detail"))).Should().Equal(
            ("USER_ACTIVATION_CHANGED", "activated"),
            ("USER_ROLE_CHANGED", "ADMIN -> ANALYST"),
            ("USER_ACTIVATION_CHANGED", "deactivated"),
            ("USER_ROLE_CHANGED", "ANALYST -> ADMIN"));
        entries.Should().OnlyContain(e => e.GetProperty("actor_id").GetInt64() == adminUser.Id && e.Text("actor") == adminUser.Username);
    }

    [Fact]
    public async Task Sensor_and_key_changes_are_recorded()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await admin.CreateSensorOkAsync();
        var sensorId = sensor.GetProperty("id").GetInt64();
        var key = await admin.CreateKeyOkAsync(sensorId);
        var keyId = key.GetProperty("id").GetInt64();
        (await admin.DeleteAsync(SensorsApi.Key(sensorId, keyId))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.PatchJsonAsync(SensorsApi.Sensor(sensorId), new { is_active = false })).StatusCode.Should().Be(HttpStatusCode.OK);

        var sensorEntries = await admin.EntriesAsync($"target=sensor:{sensorId}");
        var keyEntries = await admin.EntriesAsync($"target=api_key:{keyId}");

        sensorEntries.Select(e => e.Action()).Should().Equal("SENSOR_UPDATED", "SENSOR_CREATED");
        sensorEntries[0].Text("detail").Should().Be("is_active=false");
        keyEntries.Select(e => e.Action()).Should().Equal("API_KEY_REVOKED", "API_KEY_CREATED");
        keyEntries.Should().OnlyContain(e => e.Text("detail")!.Contains(key.GetProperty("prefix").GetString()!));
    }

    [Fact]
    public async Task Alert_status_changes_single_and_bulk_are_recorded()
    {
        var (admin, adminUser) = await factory.SignInAsync(UserRole.Admin);
        var single = await admin.RaiseAlertAsync();
        var bulk = await admin.RaiseAlertAsync();
        (await admin.ChangeStatusAsync(single, "ACKNOWLEDGED")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.ChangeStatusAsync(single, "ACKNOWLEDGED")).StatusCode.Should().Be(HttpStatusCode.OK, "a no-op changes nothing");
        (await admin.PostAsync(new Uri("/api/alerts/bulk/", UriKind.Relative),
            JsonContent.Create(new { ids = new[] { bulk }, action = "status", status = "RESOLVED" }))).StatusCode.Should().Be(HttpStatusCode.OK);

        var singleEntries = await admin.EntriesAsync($"target=alert:{single}");
        var bulkEntries = await admin.EntriesAsync($"target=alert:{bulk}");

        singleEntries.Select(e => (e.Action(), e.Text("detail"))).Should().Equal(("ALERT_STATUS_CHANGED", "OPEN -> ACKNOWLEDGED"));
        bulkEntries.Select(e => (e.Action(), e.Text("detail"))).Should().Equal(("ALERT_STATUS_CHANGED", "OPEN -> RESOLVED"));
        singleEntries.Concat(bulkEntries).Should().OnlyContain(e => e.GetProperty("actor_id").GetInt64() == adminUser.Id);
    }

    [Fact]
    public async Task Concurrent_appends_form_one_unbroken_chain()
    {
        var clients = Enumerable.Range(1, 24).Select(i => factory.CreateClientFrom($"192.0.2.{i}")).ToList();
        await Task.WhenAll(clients.Select(c => c.LoginAsync(AuthApi.NewUsername("spray"), "a wrong password")));
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var verification = await admin.VerifyAsync();
        var ids = await factory.WithDbAsync(db => db.AuditEntries.OrderBy(a => a.Id).Select(a => a.Id).ToListAsync());

        verification.Should().Be((true, (long)ids.Count, (long?)null));
        ids.Should().HaveCountGreaterThanOrEqualTo(24).And.Equal(Enumerable.Range(1, ids.Count).Select(i => (long)i), "one writer order, no gaps");
    }

    [Fact]
    public async Task Filters_narrow_the_log_and_a_bad_filter_is_a_400_naming_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        await factory.CreateClientFrom("198.51.100.200").LoginAsync(AuthApi.NewUsername("filter"), "a wrong password");

        var byAddress = await admin.EntriesAsync("ip=198.51.100.200&action=LOGIN_FAILED,LOGIN_THROTTLED");
        var badAction = await admin.GetAsync(AuditApi.List("?action=LOCKED_OUT"));
        var badDate = await admin.GetAsync(AuditApi.List("?at__gte=yesterday"));

        byAddress.Should().ContainSingle().Which.Action().Should().Be("LOGIN_FAILED");
        (await badAction.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("action");
        (await badDate.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("at__gte");
    }

    [Fact]
    public async Task Only_admins_read_or_verify_the_log()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var anonymous = factory.CreateClient();

        await (await analyst.GetAsync(AuditApi.List())).ShouldBeProblemAsync(403);
        await (await analyst.GetAsync(AuditApi.Verify)).ShouldBeProblemAsync(403);
        await (await anonymous.GetAsync(AuditApi.List())).ShouldBeProblemAsync(401);
    }
}
