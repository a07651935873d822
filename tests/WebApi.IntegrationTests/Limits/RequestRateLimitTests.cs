using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>Tiny buckets: 2 requests, then one more a minute, per user and per anonymous client; 192.0.2.10 is the trusted proxy.</summary>
public sealed class TinyBucketApiFactory : ApiFactory
{
    public const int Burst = 2;
    public const string Proxy = "192.0.2.10";

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimiting:User:PermitsPerMinute", "1");
        builder.UseSetting("RateLimiting:User:Burst", Burst.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("RateLimiting:Anonymous:PermitsPerMinute", "1");
        builder.UseSetting("RateLimiting:Anonymous:Burst", Burst.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("ForwardedHeaders:KnownProxies:0", Proxy);
        builder.UseTestPeerAddress();
    }
}

public sealed class RequestRateLimitTests(TinyBucketApiFactory factory) : IClassFixture<TinyBucketApiFactory>
{
    private static readonly Uri Me = new("/api/auth/me/", UriKind.Relative);

    [Fact]
    public async Task A_user_past_their_bucket_gets_a_429_problem_with_retry_after_and_another_user_does_not()
    {
        var (first, _) = await factory.SignInAsync(UserRole.Analyst);
        var (second, _) = await factory.SignInAsync(UserRole.Analyst);

        await ExhaustAsync(first, EventsApi.Alerts);
        var limited = await first.GetAsync(EventsApi.Alerts);

        await ShouldBeLimitedAsync(limited, "requests by this user");
        (await second.GetAsync(EventsApi.Alerts)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_user_is_counted_by_user_id_whatever_address_they_come_from()
    {
        var (user, _) = await factory.SignInAsync(UserRole.Analyst);
        user.From("203.0.113.21");
        await ExhaustAsync(user, EventsApi.Alerts);

        user.DefaultRequestHeaders.Remove(PeerAddress.Header);
        user.From("203.0.113.22");

        (await user.GetAsync(EventsApi.Alerts)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Anonymous_clients_are_counted_by_address()
    {
        var client = factory.CreateClient().From("203.0.113.30");
        await ExhaustAsync(client, Me, HttpStatusCode.Unauthorized);

        await ShouldBeLimitedAsync(await client.GetAsync(Me), "requests from this address");
        (await factory.CreateClient().From("203.0.113.31").GetAsync(Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Ipv6_clients_of_one_64_share_a_bucket_and_another_64_has_its_own()
    {
        await ExhaustAsync(factory.CreateClient().From("2001:db8:1:2::1"), Me, HttpStatusCode.Unauthorized);

        (await factory.CreateClient().From("2001:db8:1:2:ffff:ffff:ffff:fffe").GetAsync(Me)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await factory.CreateClient().From("2001:db8:1:3::1").GetAsync(Me)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Behind_the_trusted_proxy_the_forwarded_client_is_counted_not_the_proxy()
    {
        await ExhaustAsync(factory.CreateClient().From(TinyBucketApiFactory.Proxy, forwardedFor: "203.0.113.40"), Me, HttpStatusCode.Unauthorized);

        (await factory.CreateClient().From(TinyBucketApiFactory.Proxy, forwardedFor: "203.0.113.40").GetAsync(Me))
            .StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await factory.CreateClient().From(TinyBucketApiFactory.Proxy, forwardedFor: "203.0.113.41").GetAsync(Me))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized, "another client behind the same proxy has its own bucket");
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_peer_are_ignored()
    {
        // 198.51.100.7 is not the configured proxy: its X-Forwarded-For cannot move it into someone else's bucket, nor out of its own.
        await ExhaustAsync(factory.CreateClient().From("198.51.100.7", forwardedFor: "203.0.113.50"), Me, HttpStatusCode.Unauthorized);

        (await factory.CreateClient().From("198.51.100.7", forwardedFor: "203.0.113.51").GetAsync(Me))
            .StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await factory.CreateClient().From(TinyBucketApiFactory.Proxy, forwardedFor: "203.0.113.50").GetAsync(Me))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the spoofed address's own bucket was never touched");
    }

    private static async Task ExhaustAsync(HttpClient client, Uri uri, HttpStatusCode expected = HttpStatusCode.OK)
    {
        for (var i = 0; i < TinyBucketApiFactory.Burst; i++)
        {
            (await client.GetAsync(uri)).StatusCode.Should().Be(expected);
        }
    }

    private static async Task ShouldBeLimitedAsync(HttpResponseMessage response, string who)
    {
        var problem = await response.ShouldBeProblemAsync(429);
        problem.GetProperty("detail").GetString().Should().Contain(who);
        int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture).Should().BeInRange(1, 60);
    }
}
