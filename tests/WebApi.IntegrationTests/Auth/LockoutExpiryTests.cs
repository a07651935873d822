using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>The API on a clock the test moves by hand.</summary>
public sealed class FakeClockApiFactory : ApiFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
}

public sealed class LockoutExpiryTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    [Fact]
    public async Task Lock_lifts_after_the_lockout_period_and_not_before()
    {
        var client = factory.CreateClient();
        var username = AuthApi.NewUsername();
        (await client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await (await client.LoginAsync(username, "not the right password")).ShouldBeProblemAsync(401);
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(14));
        await (await client.LoginAsync(username)).ShouldBeProblemAsync(423);

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        (await client.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
