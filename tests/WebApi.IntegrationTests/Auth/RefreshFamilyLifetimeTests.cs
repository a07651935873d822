using System.Net;
using Microsoft.EntityFrameworkCore;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>A refresh family ends 30 days (Jwt:RefreshFamilyDays) after its login, however often it rotated.</summary>
public sealed class RefreshFamilyLifetimeTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    [Fact]
    public async Task Rotating_every_few_days_keeps_a_family_alive_only_until_thirty_days_after_the_login()
    {
        var client = factory.CreateClient();
        var user = await client.SignUpAsync();
        var refresh = user.Refresh;
        for (var day = 6; day <= 24; day += 6)
        {
            factory.Clock.Advance(TimeSpan.FromDays(6));
            var rotated = await client.RefreshAsync(refresh);
            rotated.StatusCode.Should().Be(HttpStatusCode.OK, $"day {day} is within the family's 30 days");
            refresh = (await AuthApi.TokensAsync(rotated)).Refresh;
        }

        factory.Clock.Advance(TimeSpan.FromDays(6) - TimeSpan.FromMinutes(1));
        var lastInside = await client.RefreshAsync(refresh);
        lastInside.StatusCode.Should().Be(HttpStatusCode.OK, "29 days 23 hours 59 minutes after the login");
        refresh = (await AuthApi.TokensAsync(lastInside)).Refresh;
        factory.Clock.Advance(TimeSpan.FromMinutes(2));

        await (await client.RefreshAsync(refresh)).ShouldBeProblemAsync(401);
        var newest = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.UserId == user.Id).OrderByDescending(t => t.Id).FirstAsync());
        newest.ExpiresAt.Should().Be(newest.FamilyExpiresAt, "the last rotation's seven days were cut to the family's end");
    }
}
