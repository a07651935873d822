using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Application.Stats.GetAlertStats;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Security;

/// <summary>The API with a stats reader that always throws: GET /api/stats/alerts/ is a 500 on demand.</summary>
public sealed class FailingStatsApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<IAlertStatsReader, Failing>());

    private sealed class Failing : IAlertStatsReader
    {
        public Task<AlertStatsFigures> ReadAsync(AlertStatsWindow window, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("test: the stats reader broke");
    }
}

public sealed class SecurityHeadersTests(FailingStatsApiFactory factory) : IClassFixture<FailingStatsApiFactory>
{
    [Fact]
    public async Task A_404_for_an_unknown_alert_carries_the_security_headers()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await client.GetAsync(new Uri("/api/alerts/999999999/", UriKind.Relative));

        await response.ShouldBeProblemAsync(404);
        ShouldCarrySecurityHeaders(response);
    }

    [Fact]
    public async Task A_404_for_an_unknown_path_carries_the_security_headers()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await client.GetAsync(new Uri("/api/no/such/thing/", UriKind.Relative));

        await response.ShouldBeProblemAsync(404);
        ShouldCarrySecurityHeaders(response);
    }

    [Fact]
    public async Task A_500_carries_the_security_headers_and_no_detail_of_the_failure()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await client.GetAsync(new Uri("/api/stats/alerts/", UriKind.Relative));

        var problem = await response.ShouldBeProblemAsync(500);
        problem.ToString().Should().NotContain("stats reader broke");
        ShouldCarrySecurityHeaders(response);
    }

    [Fact]
    public async Task A_401_a_400_and_a_429_carry_the_security_headers()
    {
        var anonymous = factory.CreateClientFrom("198.51.100.99");
        var username = AuthApi.NewUsername();
        // Each failure past the third makes the next wait longer; on the real clock, some try soon lands inside a wait.
        HttpResponseMessage throttled;
        var attempts = 0;
        do
        {
            throttled = await anonymous.LoginAsync(username, "not the right password");
        }
        while (throttled.StatusCode != HttpStatusCode.TooManyRequests && ++attempts < 20);

        var unauthorized = await anonymous.GetAsync(AuthApi.Me);
        var invalid = await anonymous.PostJsonAsync(AuthApi.Login, new { username = "someone" });

        await unauthorized.ShouldBeProblemAsync(401);
        await invalid.ShouldBeProblemAsync(400);
        await throttled.ShouldBeProblemAsync(429);
        ShouldCarrySecurityHeaders(unauthorized);
        ShouldCarrySecurityHeaders(invalid);
        ShouldCarrySecurityHeaders(throttled);
    }

    private static void ShouldCarrySecurityHeaders(HttpResponseMessage response)
    {
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        response.Headers.GetValues("Cache-Control").Should().Equal("no-store");
        response.Headers.GetValues("Content-Security-Policy").Should().Equal("default-src 'none'; frame-ancestors 'none'");
        response.StatusCode.Should().NotBe(HttpStatusCode.OK);
    }
}
