using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

public sealed class LoginTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Register_login_me_refresh_and_the_old_refresh_is_rejected()
    {
        var username = AuthApi.NewUsername();
        (await _client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);

        var (access, refresh) = await _client.LoginTokensAsync(username);
        var me = await _client.GetWithTokenAsync(AuthApi.Me, access);
        var refreshed = await _client.RefreshAsync(refresh);
        var (newAccess, newRefresh) = await AuthApi.TokensAsync(refreshed);
        var replay = await _client.RefreshAsync(refresh);

        me.StatusCode.Should().Be(HttpStatusCode.OK);
        using (var body = await AuthApi.ReadJsonAsync(me))
        {
            body.RootElement.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("id", "username", "email", "role");
            body.RootElement.GetProperty("username").GetString().Should().Be(username);
            body.RootElement.GetProperty("role").GetString().Should().Be("ANALYST");
        }

        refreshed.StatusCode.Should().Be(HttpStatusCode.OK);
        newRefresh.Should().NotBe(refresh);
        (await _client.GetWithTokenAsync(AuthApi.Me, newAccess)).StatusCode.Should().Be(HttpStatusCode.OK);
        await replay.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task A_nul_in_a_username_is_a_400_naming_it_not_a_500()
    {
        // Found by HostileInputTests (CsCheck seed 11V10sDhOCv1): the username reached the database's lookup.
        const string username = "ad\u0000min";
        var login = await _client.PostJsonAsync(AuthApi.Login, new { username, password = "irrelevant-password" });
        var register = await _client.PostJsonAsync(AuthApi.Register, new { username, email = "nul@example.com", password = "Correct-Horse-9" });

        foreach (var response in new[] { login, register })
        {
            var problem = await response.ShouldBeProblemAsync(400);
            problem.GetProperty("errors").GetProperty("username").EnumerateArray().Single().GetString()
                .Should().Contain("cannot be stored");
        }
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_401_body()
    {
        var known = AuthApi.NewUsername();
        (await _client.RegisterAsync(known)).StatusCode.Should().Be(HttpStatusCode.Created);

        var wrongPassword = await _client.LoginAsync(known, "not the right password");
        var unknownUser = await _client.LoginAsync(AuthApi.NewUsername("ghost"));

        var first = await wrongPassword.ShouldBeProblemAsync(401);
        var second = await unknownUser.ShouldBeProblemAsync(401);
        Comparable(first).Should().Be(Comparable(second));
    }

    [Fact]
    public async Task Inactive_user_gets_the_same_401_as_a_wrong_password()
    {
        var user = await _client.SignUpAsync();
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false)));

        var inactive = await _client.LoginAsync(user.Username);
        var wrongPassword = await _client.LoginAsync(user.Username, "not the right password");

        Comparable(await inactive.ShouldBeProblemAsync(401)).Should().Be(Comparable(await wrongPassword.ShouldBeProblemAsync(401)));
    }

    [Fact]
    public async Task Username_is_matched_case_insensitively_at_login()
    {
        var username = AuthApi.NewUsername("Mixed");
        (await _client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);

        var response = await _client.LoginAsync(username.ToUpperInvariant());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Access_token_is_an_hs256_jwt_with_the_documented_claims()
    {
        var user = await _client.SignUpAsync();

        var parts = user.Access.Split('.');
        using var header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
        using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));

        header.RootElement.GetProperty("alg").GetString().Should().Be("HS256");
        var claims = payload.RootElement;
        claims.GetProperty("sub").GetString().Should().Be(user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        claims.GetProperty("username").GetString().Should().Be(user.Username);
        claims.GetProperty("role").GetString().Should().Be("ANALYST");
        claims.GetProperty("iss").GetString().Should().Be(ApiFactory.Issuer);
        claims.GetProperty("aud").GetString().Should().Be(ApiFactory.Audience);
        claims.GetProperty("jti").GetString().Should().NotBeNullOrEmpty();
        (claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64()).Should().Be(15 * 60);
    }

    [Fact]
    public async Task Refresh_token_is_opaque_and_stored_only_as_its_sha256()
    {
        var user = await _client.SignUpAsync();

        var hashes = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.UserId == user.Id).Select(t => t.TokenHash).ToListAsync());

        user.Refresh.Should().NotContain(".").And.HaveLength(43, "256 random bits in base64url");
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(user.Refresh)));
        hashes.Should().Equal(expected);
    }

    [Fact]
    public async Task Login_records_last_login()
    {
        var user = await _client.SignUpAsync();

        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == user.Id));

        stored.LastLogin.Should().NotBeNull();
    }

    [Fact]
    public async Task Login_without_a_password_is_a_400_naming_password()
    {
        var response = await _client.PostJsonAsync(AuthApi.Login, new { username = "someone" });

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("password");
    }

    /// <summary>The problem without what differs per request (trace id, instance).</summary>
    private static string Comparable(JsonElement problem) =>
        string.Join("|", problem.EnumerateObject().Where(p => p.Name is not "trace_id").Select(p => $"{p.Name}={p.Value}"));

    private static string Base64UrlDecode(string text) =>
        Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(text));
}
