using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Users;

public sealed class UserAdminTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Analyst_on_an_admin_endpoint_gets_a_403_problem()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.GetAsync(AuthApi.Users);

        await response.ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task Users_list_needs_a_token()
    {
        var response = await factory.CreateClient().GetAsync(AuthApi.Users);

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Admin_lists_users_in_a_drf_envelope_with_absolute_links()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        for (var i = 0; i < 6; i++)
        {
            await factory.SeedUserAsync(UserRole.Analyst);
        }

        var total = await factory.WithDbAsync(db => db.Users.CountAsync());
        var first = await admin.GetFromJsonAsync<Envelope>(new Uri("/api/users/?page_size=3", UriKind.Relative));
        var second = await admin.GetFromJsonAsync<Envelope>(first!.Next);

        first.Count.Should().Be(total);
        first.Results.Should().HaveCount(3);
        first.Previous.Should().BeNull();
        first.Next!.IsAbsoluteUri.Should().BeTrue();
        first.Next.Query.Should().Contain("page=2").And.Contain("page_size=3");
        second!.Previous!.Query.Should().Contain("page=1");
        second.Results.Select(u => u.GetProperty("id").GetInt64()).Should().NotIntersectWith(first.Results.Select(u => u.GetProperty("id").GetInt64()));
        first.Results[0].EnumerateObject().Select(p => p.Name).Should()
            .BeEquivalentTo("id", "username", "email", "role", "is_active", "date_joined", "last_login");
    }

    [Fact]
    public async Task Page_size_above_100_is_capped()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        for (var i = 0; i < 101; i++)
        {
            await factory.SeedUserAsync(UserRole.Analyst);
        }

        var page = await admin.GetFromJsonAsync<Envelope>(new Uri("/api/users/?page_size=1000", UriKind.Relative));

        page!.Results.Should().HaveCount(100);
    }

    [Theory]
    [InlineData("page=abc", "page")]
    [InlineData("page=0", "page")]
    [InlineData("page_size=many", "page_size")]
    public async Task Malformed_paging_is_a_400_naming_the_parameter(string query, string parameter)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var response = await admin.GetAsync(new Uri($"/api/users/?{query}", UriKind.Relative));

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal(parameter);
    }

    [Fact]
    public async Task Page_past_the_last_is_a_404_as_in_drf()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        // The deepest page the depth cap allows (1,000 × 10 = 10,000 rows): deeper pages are a 400 naming page.
        var response = await admin.GetAsync(new Uri("/api/users/?page=1000", UriKind.Relative));

        await response.ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task Admin_promotes_a_user_and_gets_the_user_back()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);

        var response = await admin.PatchJsonAsync(AuthApi.User(analyst.Id), new { role = "admin" });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = await AuthApi.ReadJsonAsync(response);
        body.RootElement.GetProperty("id").GetInt64().Should().Be(analyst.Id);
        body.RootElement.GetProperty("role").GetString().Should().Be("ADMIN");
        body.RootElement.GetProperty("is_active").GetBoolean().Should().BeTrue();
        (await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == analyst.Id))).Role.Should().Be(UserRole.Admin);
    }

    [Fact]
    public async Task Deactivation_stops_the_users_tokens_and_revokes_their_refresh_tokens()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var anonymous = factory.CreateClient();
        var user = await anonymous.SignUpAsync();

        var response = await admin.PatchJsonAsync(AuthApi.User(user.Id), new { is_active = false });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await (await anonymous.GetWithTokenAsync(AuthApi.Me, user.Access)).ShouldBeProblemAsync(401);
        var tokens = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.UserId == user.Id).ToListAsync());
        tokens.Should().NotBeEmpty("the user signed in, so there was a token to revoke");
        tokens.Should().OnlyContain(t => t.RevokedAt != null);
        await (await anonymous.RefreshAsync(user.Refresh)).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Unknown_user_is_a_404()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var response = await admin.PatchJsonAsync(AuthApi.User(long.MaxValue), new { is_active = false });

        await response.ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task Unknown_role_is_a_400_naming_role()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);

        var response = await admin.PatchJsonAsync(AuthApi.User(analyst.Id), new { role = "SUPERUSER" });

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("role");
    }

    [Fact]
    public async Task Non_boolean_is_active_is_a_400_naming_is_active()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);

        var response = await admin.PatchJsonAsync(AuthApi.User(analyst.Id), new { is_active = "nope" });

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("is_active");
    }

    [Fact]
    public async Task Analyst_cannot_change_users()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var other = await factory.SeedUserAsync(UserRole.Analyst);

        var response = await analyst.PatchJsonAsync(AuthApi.User(other.Id), new { role = "ADMIN" });

        await response.ShouldBeProblemAsync(403);
        (await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == other.Id))).Role.Should().Be(UserRole.Analyst);
    }

    private sealed record Envelope(long Count, Uri? Next, Uri? Previous, List<System.Text.Json.JsonElement> Results);
}
