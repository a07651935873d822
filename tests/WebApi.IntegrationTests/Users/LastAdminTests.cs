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
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin_every_time_and_the_loser_gets_a_409()
    {
        for (var round = 1; round <= 15; round++)
        {
            var (first, firstClient) = await OnlyAdminAsync();
            var second = await factory.SeedUserAsync(UserRole.Admin);
            var secondClient = ClientFor(second);

            var responses = await Task.WhenAll(
                firstClient.PatchJsonAsync(AuthApi.User(second.Id), new { role = "ANALYST" }),
                secondClient.PatchJsonAsync(AuthApi.User(first.Id), new { role = "ANALYST" }));

            // The loser is refused either inside the handler (409: it would leave no admin) or, when the winner committed before
            // the loser's token was checked, at the door (403: it is no longer an admin). Never both 200.
            responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(1, $"round {round}: exactly one demotion wins");
            var loser = responses.Single(r => r.StatusCode != HttpStatusCode.OK);
            ((int)loser.StatusCode).Should().BeOneOf(403, 409);
            if (loser.StatusCode == HttpStatusCode.Conflict)
            {
                (await loser.ShouldBeProblemAsync(409)).ErrorFields().Should().Equal("role");
            }

            var winnerDemoted = responses[0].StatusCode == HttpStatusCode.OK ? second.Id : first.Id;
            var admins = await factory.WithDbAsync(db => db.Users.Where(u => u.Role == UserRole.Admin && u.IsActive).Select(u => u.Id).ToListAsync());
            admins.Should().ContainSingle().Which.Should().Be(winnerDemoted == first.Id ? second.Id : first.Id, $"round {round}");
        }
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
