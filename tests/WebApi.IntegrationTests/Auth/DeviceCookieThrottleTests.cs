using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>
/// Sign-in throttling that an attacker cannot turn against the real user: failures count per client as the rate limits
/// count clients (an IPv6 /64 is one client), and a client carrying the device cookie of an earlier successful sign-in
/// as that user passes the username-wide wait (its own failures still make it wait). The clock only moves when a test
/// moves it, so every wait here is still running when it is checked.
/// </summary>
public sealed class DeviceCookieThrottleTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    private const string WrongPassword = "not the right password";

    [Fact]
    public async Task Failures_from_many_addresses_in_one_ipv6_64_throttle_that_64_as_one_client()
    {
        var owner = factory.CreateClientFrom("198.51.100.40");
        var username = await RegisterAsync(owner);
        for (var host = 1; host <= 4; host++)
        {
            await (await factory.CreateClientFrom($"2001:db8:40:1::{host}").LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        }

        var fifth = await factory.CreateClientFrom("2001:db8:40:1:ffff::5").LoginAsync(username, WrongPassword);

        await fifth.ShouldBeProblemAsync(429);
        (await owner.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK, "one client alone never makes the whole username wait");
    }

    [Fact]
    public async Task With_the_username_ceiling_reached_the_users_device_cookie_lets_the_right_password_in_and_no_cookie_waits()
    {
        var owner = factory.CreateClientFrom("198.51.100.41");
        var username = await RegisterAsync(owner);
        (await owner.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
        await ReachCeilingAsync(username, 41);

        var withCookie = await owner.LoginAsync(username);
        var withoutCookie = await factory.CreateClientFrom("198.51.100.41").LoginAsync(username);

        withCookie.StatusCode.Should().Be(HttpStatusCode.OK, await withCookie.Content.ReadAsStringAsync());
        await withoutCookie.ShouldBeProblemAsync(429);
    }

    [Fact]
    public async Task Another_users_device_cookie_or_a_forged_one_does_not_pass_the_username_ceiling()
    {
        var victim = factory.CreateClientFrom("198.51.100.42");
        var username = await RegisterAsync(victim);
        var victimId = await UserIdAsync(username);
        var attacker = factory.CreateClientFrom("198.51.100.43");
        var attackerName = await RegisterAsync(attacker);
        var attackerCookie = DeviceCookieOf(await attacker.LoginAsync(attackerName));
        await ReachCeilingAsync(username, 42);

        var parts = attackerCookie.Split('.');
        var forged = factory.CreateClientFrom("198.51.100.44", cookie: $"{victimId}.{parts[1]}.{parts[2]}");
        var garbage = factory.CreateClientFrom("198.51.100.45", cookie: "1.99999999999.bm90LWEtc2lnbmF0dXJl");

        await (await attacker.LoginAsync(username)).ShouldBeProblemAsync(429);
        await (await forged.LoginAsync(username)).ShouldBeProblemAsync(429);
        await (await garbage.LoginAsync(username)).ShouldBeProblemAsync(429);
    }

    [Fact]
    public async Task A_client_with_the_users_device_cookie_is_still_throttled_by_its_own_failures()
    {
        var owner = factory.CreateClientFrom("198.51.100.46");
        var username = await RegisterAsync(owner);
        (await owner.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await (await owner.LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        }

        await (await owner.LoginAsync(username)).ShouldBeProblemAsync(429);
    }

    [Fact]
    public async Task The_device_cookie_is_http_only_strict_same_site_scoped_to_sign_in_and_secure_over_https()
    {
        var overHttp = factory.CreateClientFrom("198.51.100.47");
        var username = await RegisterAsync(overHttp);
        var overHttps = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });

        var plain = SetCookie(await overHttp.LoginAsync(username));
        var secure = SetCookie(await overHttps.LoginAsync(username));

        plain.ToLowerInvariant().Should().StartWith("tp_device=").And.Contain("httponly").And.Contain("samesite=strict")
            .And.Contain("path=/api/auth/login/").And.NotContain("secure");
        secure.ToLowerInvariant().Should().Contain("secure").And.Contain("httponly").And.Contain("samesite=strict");
        var expires = DateTimeOffset.Parse(plain.Split("expires=")[1].Split(';')[0], CultureInfo.InvariantCulture);
        (expires - factory.Clock.GetUtcNow()).Should().BeCloseTo(TimeSpan.FromDays(90), TimeSpan.FromMinutes(1));
    }

    /// <summary>Five other addresses fail once each on the username: every client without proof now waits.</summary>
    private async Task ReachCeilingAsync(string username, int net)
    {
        for (var bot = 1; bot <= 5; bot++)
        {
            await (await factory.CreateClientFrom($"203.0.{net}.{bot}").LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        }
    }

    private Task<long> UserIdAsync(string username) =>
        factory.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Username == username).Id));

    private static string SetCookie(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tp_device=", StringComparison.Ordinal));
    }

    private static string DeviceCookieOf(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var header = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tp_device=", StringComparison.Ordinal));
        return header["tp_device=".Length..].Split(';')[0];
    }

    private static async Task<string> RegisterAsync(HttpClient client)
    {
        var username = AuthApi.NewUsername();
        (await client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);
        return username;
    }
}

internal static class CookieClients
{
    /// <summary>A client from <paramref name="address"/> that sends this device cookie with every request.</summary>
    public static HttpClient CreateClientFrom(this FakeClockApiFactory factory, string address, string cookie)
    {
        var client = factory.CreateClientFrom(address);
        client.DefaultRequestHeaders.Add("Cookie", $"tp_device={cookie}");
        return client;
    }
}
