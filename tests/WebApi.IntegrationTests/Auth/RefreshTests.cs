using System.Net;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

public sealed class RefreshTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Refresh_rotates_to_a_new_pair_that_works()
    {
        var user = await _client.SignUpAsync();

        var response = await _client.RefreshAsync(user.Refresh);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var (access, refresh) = await AuthApi.TokensAsync(response);
        refresh.Should().NotBe(user.Refresh);
        (await _client.GetWithTokenAsync(AuthApi.Me, access)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.RefreshAsync(refresh)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Reusing_any_older_token_of_a_family_several_rotations_deep_revokes_the_whole_family()
    {
        var user = await _client.SignUpAsync();
        var family = new List<string> { user.Refresh };
        for (var rotation = 1; rotation <= 4; rotation++)
        {
            var response = await _client.RefreshAsync(family[^1]);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            family.Add((await AuthApi.TokensAsync(response)).Refresh);
        }

        var replay = await _client.RefreshAsync(family[2]);
        var newestAfterReplay = await _client.RefreshAsync(family[^1]);

        await replay.ShouldBeProblemAsync(401);
        await newestAfterReplay.ShouldBeProblemAsync(401);
        var tokens = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.UserId == user.Id).ToListAsync());
        tokens.Should().HaveCount(5);
        tokens.Select(t => t.FamilyId).Distinct().Should().ContainSingle();
        tokens.Should().OnlyContain(t => t.RevokedAt != null);
    }

    [Fact]
    public async Task Logout_all_revokes_every_session_of_the_caller_and_no_one_elses()
    {
        var user = await _client.SignUpAsync();
        var (_, secondSession) = await _client.LoginTokensAsync(user.Username);
        var bystander = await _client.SignUpAsync();

        var response = await _client.PostWithTokenAsync(new Uri("/api/auth/logout-all/", UriKind.Relative), user.Access, new { });

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await _client.RefreshAsync(user.Refresh)).ShouldBeProblemAsync(401);
        await (await _client.RefreshAsync(secondSession)).ShouldBeProblemAsync(401);
        (await _client.RefreshAsync(bystander.Refresh)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_all_needs_an_access_token()
    {
        var response = await _client.PostJsonAsync(new Uri("/api/auth/logout-all/", UriKind.Relative), new { });

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task A_revoked_family_keeps_its_first_revocation_time()
    {
        var user = await _client.SignUpAsync();
        await _client.RefreshAsync(user.Refresh);
        await (await _client.RefreshAsync(user.Refresh)).ShouldBeProblemAsync(401);
        var first = await RevocationTimesAsync(user.Id);

        await (await _client.RefreshAsync(user.Refresh)).ShouldBeProblemAsync(401);

        first.Should().HaveCount(2).And.NotContainNulls();
        (await RevocationTimesAsync(user.Id)).Should().Equal(first);
    }

    [Fact]
    public async Task Reuse_in_one_family_leaves_other_sessions_alone()
    {
        var user = await _client.SignUpAsync();
        var (_, otherSession) = await _client.LoginTokensAsync(user.Username);
        await _client.RefreshAsync(user.Refresh);

        await (await _client.RefreshAsync(user.Refresh)).ShouldBeProblemAsync(401);

        (await _client.RefreshAsync(otherSession)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_then_refresh_is_rejected()
    {
        var user = await _client.SignUpAsync();
        var (access, refresh) = await AuthApi.TokensAsync(await _client.RefreshAsync(user.Refresh));

        var logout = await _client.PostWithTokenAsync(AuthApi.Logout, access, new { refresh });

        logout.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await _client.RefreshAsync(refresh)).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Logout_needs_an_access_token()
    {
        var user = await _client.SignUpAsync();

        var response = await _client.PostJsonAsync(AuthApi.Logout, new { refresh = user.Refresh });

        await response.ShouldBeProblemAsync(401);
        (await _client.RefreshAsync(user.Refresh)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_cannot_revoke_someone_elses_refresh_token()
    {
        var victim = await _client.SignUpAsync();
        var attacker = await _client.SignUpAsync();

        var response = await _client.PostWithTokenAsync(AuthApi.Logout, attacker.Access, new { refresh = victim.Refresh });

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("refresh");
        (await _client.RefreshAsync(victim.Refresh)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Deactivated_user_cannot_refresh()
    {
        var user = await _client.SignUpAsync();
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false)));

        var response = await _client.RefreshAsync(user.Refresh);

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Expired_refresh_token_is_rejected()
    {
        var user = await _client.SignUpAsync();
        await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.UserId == user.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var response = await _client.RefreshAsync(user.Refresh);

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Unknown_refresh_token_is_a_401()
    {
        var response = await _client.RefreshAsync("bm90LWEtcmVhbC1yZWZyZXNoLXRva2VuLWF0LWFsbC0xMjM0NQ");

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Missing_refresh_is_a_400_naming_refresh()
    {
        var response = await _client.PostJsonAsync(AuthApi.Refresh, new { });

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("refresh");
    }

    [Fact]
    public async Task Refresh_lasts_seven_days()
    {
        var user = await _client.SignUpAsync();

        var token = await factory.WithDbAsync(db => db.RefreshTokens.SingleAsync(t => t.UserId == user.Id));

        (token.ExpiresAt - token.CreatedAt).Should().Be(TimeSpan.FromDays(7));
    }

    private Task<List<DateTimeOffset?>> RevocationTimesAsync(long userId) => factory.WithDbAsync(db =>
        db.RefreshTokens.Where(t => t.UserId == userId).OrderBy(t => t.Id).Select(t => t.RevokedAt).ToListAsync());
}
