using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>The API with a sign-in rate limit of 3 requests a minute per address.</summary>
public sealed class LowRateLimitApiFactory : ApiFactory
{
    public const int PermitsPerMinute = 3;

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("RateLimiting:AuthPermitsPerMinute", PermitsPerMinute.ToString(CultureInfo.InvariantCulture));
}

public sealed class RateLimitTests(LowRateLimitApiFactory factory) : IClassFixture<LowRateLimitApiFactory>
{
    [Fact]
    public async Task Sign_in_requests_past_the_limit_get_a_429_problem_with_retry_after()
    {
        var client = factory.CreateClient();
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i <= LowRateLimitApiFactory.PermitsPerMinute; i++)
        {
            responses.Add(i % 2 == 0 ? await client.LoginAsync("nobody_here") : await client.RegisterAsync(AuthApi.NewUsername()));
        }

        responses.Take(LowRateLimitApiFactory.PermitsPerMinute).Select(r => r.StatusCode).Should().NotContain(HttpStatusCode.TooManyRequests);
        var limited = responses[^1];
        var problem = await limited.ShouldBeProblemAsync(429);
        problem.GetProperty("detail").GetString().Should().Contain("retry in");
        int.Parse(limited.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture).Should().BeInRange(1, 60);
    }

    [Fact]
    public async Task Rate_limit_does_not_apply_to_other_endpoints()
    {
        var client = factory.CreateClient();

        for (var i = 0; i <= LowRateLimitApiFactory.PermitsPerMinute; i++)
        {
            (await client.GetAsync(AuthApi.Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }
}
