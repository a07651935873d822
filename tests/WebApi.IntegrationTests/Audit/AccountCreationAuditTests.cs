using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;
using ThreatPlatform.WebApi.IntegrationTests.TrustedIngest;

namespace ThreatPlatform.WebApi.IntegrationTests.Audit;

/// <summary>Accounts come into being on the record: self-registration (open), as the audit log shows it.</summary>
public sealed class OpenRegistrationAuditTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Self_registration_is_recorded_with_the_chosen_username_as_actor_and_the_new_user_as_target()
    {
        var client = factory.CreateClientFrom("203.0.113.21");
        var name = AuthApi.NewUsername("joiner");
        var registered = await client.RegisterAsync(name);
        ((int)registered.StatusCode).Should().Be(201);
        using var user = await AuthApi.ReadJsonAsync(registered);
        var id = user.RootElement.GetProperty("id").GetInt64();
        await (await client.RegisterAsync(name)).ShouldBeProblemAsync(409);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var entries = await admin.EntriesAsync($"action=USER_REGISTERED&actor={name}");

        entries.Should().ContainSingle("the refused second registration records nothing");
        entries[0].Text("target").Should().Be($"user:{id}");
        entries[0].Text("ip").Should().Be("203.0.113.21");
        entries[0].Text("detail").Should().Be("self-registration");
    }
}

/// <summary>Under Auth__Registration=approval: the registration, then the admin's approval, each on the record.</summary>
public sealed class ApprovalRegistrationAuditTests(ApprovalRegistrationApiFactory factory) : IClassFixture<ApprovalRegistrationApiFactory>
{
    [Fact]
    public async Task A_pending_registration_and_its_approval_are_recorded_against_the_new_user()
    {
        var client = factory.CreateClient();
        var name = AuthApi.NewUsername("pending");
        var registered = await client.RegisterAsync(name);
        using var user = await AuthApi.ReadJsonAsync(registered);
        var id = user.RootElement.GetProperty("id").GetInt64();
        var (admin, adminUser) = await factory.SignInAsync(UserRole.Admin);
        ((int)(await admin.PatchJsonAsync(AuthApi.User(id), new { is_active = true })).StatusCode).Should().Be(200);

        var entries = await admin.EntriesAsync($"target=user:{id}");

        entries.Select(e => (e.Action(), e.Text("actor"), e.Text("detail"))).Should().Equal(
            ("USER_APPROVED", adminUser.Username, "registration approved"),
            ("USER_REGISTERED", name, "self-registration, awaiting approval"));
    }
}
