using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

public sealed class TokenValidationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> BadTokens() =>
    [
        "expired",
        "tampered",
        "wrong-issuer",
        "wrong-audience",
        "wrong-key",
        "alg-none",
        "not-a-jwt",
    ];

    [Fact]
    public async Task A_well_formed_token_of_an_active_user_is_accepted()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);

        var response = await _client.GetWithTokenAsync(AuthApi.Me, ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Bad_token_is_a_401_problem(string kind)
    {
        var user = await factory.SeedUserAsync(UserRole.Admin);
        var token = kind switch
        {
            "expired" => ApiFactory.MintToken(user.Id, user.Username, UserRole.Admin, expires: DateTime.UtcNow.AddMinutes(-2)),
            "tampered" => Tamper(ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst)),
            "wrong-issuer" => ApiFactory.MintToken(user.Id, user.Username, UserRole.Admin, issuer: "someone-else"),
            "wrong-audience" => ApiFactory.MintToken(user.Id, user.Username, UserRole.Admin, audience: "another-api"),
            "wrong-key" => ApiFactory.MintToken(user.Id, user.Username, UserRole.Admin, signingKey: "another-key-of-at-least-thirty-two-bytes-0123456789"),
            "alg-none" => Unsigned(user.Id, user.Username),
            _ => "definitely.not.a-jwt",
        };

        var response = await _client.GetWithTokenAsync(AuthApi.Me, token);

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task No_token_is_a_401_problem()
    {
        var response = await _client.GetAsync(AuthApi.Me);

        await response.ShouldBeProblemAsync(401);
        response.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task A_user_deactivated_in_the_database_is_refused_within_two_seconds()
    {
        var user = await _client.SignUpAsync();
        (await _client.GetWithTokenAsync(AuthApi.Me, user.Access)).StatusCode.Should().Be(HttpStatusCode.OK);

        // As a console or a script would: straight in the table, not through this API (whose own changes apply at once).
        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false)));

        await SensorsApi.ShouldBecomeUnauthorizedAsync(() => _client.GetWithTokenAsync(AuthApi.Me, user.Access), TimeSpan.FromSeconds(2));
        await (await _client.GetWithTokenAsync(AuthApi.Me, user.Access)).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Token_of_a_user_who_no_longer_exists_is_a_401()
    {
        var response = await _client.GetWithTokenAsync(AuthApi.Me, ApiFactory.MintToken(long.MaxValue, "nobody", UserRole.Admin));

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Role_comes_from_the_database_not_from_the_token()
    {
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);
        var claimsAdmin = ApiFactory.MintToken(analyst.Id, analyst.Username, UserRole.Admin);

        var response = await _client.GetWithTokenAsync(AuthApi.Users, claimsAdmin);

        await response.ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task A_promotion_in_the_database_takes_effect_within_two_seconds()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        var token = ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst);
        (await _client.GetWithTokenAsync(AuthApi.Users, token)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, UserRole.Admin)));

        var started = System.Diagnostics.Stopwatch.StartNew();
        while ((await _client.GetWithTokenAsync(AuthApi.Users, token)).StatusCode != HttpStatusCode.OK)
        {
            started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "the promotion should have reached this host by now");
            await Task.Delay(50);
        }
    }

    /// <summary>Flips the role in the payload and keeps the old signature.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"ANALYST\"", "\"ADMIN\"", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }

    /// <summary>An unsigned token ("alg": "none"), built by hand as an attacker would.</summary>
    private static string Unsigned(long userId, string username)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = """{"alg":"none","typ":"JWT"}""";
        var payload = $$"""{"sub":"{{userId}}","username":"{{username}}","role":"ADMIN","iss":"{{ApiFactory.Issuer}}","aud":"{{ApiFactory.Audience}}","iat":{{now}},"nbf":{{now}},"exp":{{now + 900}}}""";
        return $"{Base64UrlEncoder.Encode(header)}.{Base64UrlEncoder.Encode(payload)}.";
    }
}
