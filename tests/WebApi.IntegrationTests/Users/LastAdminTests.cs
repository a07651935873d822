using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Users;

/// <summary>Each test starts with exactly one active admin: every admin left by an earlier test is deactivated first.</summary>
public sealed class LastAdminTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Last_active_admin_cannot_demote_themselves()
    {
        var (admin, client) = await OnlyAdminAsync();

        var response = await client.PatchJsonAsync(AuthApi.User(admin.Id), new { role = "ANALYST" });

        var problem = await response.ShouldBeProblemAsync(409);
        problem.ErrorFields().Should().Equal("role");
        (await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == admin.Id))).Role.Should().Be(UserRole.Admin);
    }

    [Fact]
    public async Task Last_active_admin_cannot_be_deactivated()
    {
        var (admin, client) = await OnlyAdminAsync();

        var response = await client.PatchJsonAsync(AuthApi.User(admin.Id), new { is_active = false });

        var problem = await response.ShouldBeProblemAsync(409);
        problem.ErrorFields().Should().Equal("is_active");
    }

    [Fact]
    public async Task An_admin_may_step_down_once_another_admin_exists()
    {
        var (admin, client) = await OnlyAdminAsync();
        var colleague = await factory.SeedUserAsync(UserRole.Analyst);
        (await client.PatchJsonAsync(AuthApi.User(colleague.Id), new { role = "ADMIN" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var response = await client.PatchJsonAsync(AuthApi.User(admin.Id), new { role = "ANALYST" });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        var (first, firstClient) = await OnlyAdminAsync();
        var second = await factory.SeedUserAsync(UserRole.Admin);
        var secondClient = ClientFor(second);

        var responses = await Task.WhenAll(
            firstClient.PatchJsonAsync(AuthApi.User(second.Id), new { role = "ANALYST" }),
            secondClient.PatchJsonAsync(AuthApi.User(first.Id), new { role = "ANALYST" }));

        responses.Select(r => r.StatusCode).Should().Contain(HttpStatusCode.OK);
        var admins = await factory.WithDbAsync(db => db.Users.CountAsync(u => u.Role == UserRole.Admin && u.IsActive));
        admins.Should().Be(1);
    }

    private async Task<(User Admin, HttpClient Client)> OnlyAdminAsync()
    {
        await factory.WithDbAsync(db => db.Users.Where(u => u.Role == UserRole.Admin).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false)));
        var admin = await factory.SeedUserAsync(UserRole.Admin);
        return (admin, ClientFor(admin));
    }

    private HttpClient ClientFor(User user)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFactory.MintToken(user.Id, user.Username, user.Role));
        return client;
    }
}
