using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

public sealed class SecondsTokenApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseSetting("Jwt:AccessTokenSeconds", "3");
}

/// <summary>Jwt__AccessTokenSeconds, for browser tests of silent refresh: a lifetime in seconds instead of minutes.</summary>
public sealed class AccessTokenLifetimeTests(SecondsTokenApiFactory factory) : IClassFixture<SecondsTokenApiFactory>
{
    [Fact]
    public async Task Access_token_lifetime_in_seconds_overrides_the_minutes()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        using var scope = factory.Services.CreateScope();

        var token = new JsonWebToken(scope.ServiceProvider.GetRequiredService<ITokenService>().CreateAccessToken(user));

        (token.ValidTo - token.IssuedAt).Should().Be(TimeSpan.FromSeconds(3));
    }
}
