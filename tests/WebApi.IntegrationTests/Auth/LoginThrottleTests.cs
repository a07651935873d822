using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>
/// Throttling per (username, client address) with the default settings: 3 free failures, then 1 s, 2 s, 4 s…; a
/// username failed on from 5 addresses makes every client wait. The clock only moves when a test moves it.
/// </summary>
public sealed class LoginThrottleTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    private const string WrongPassword = "not the right password";

    [Fact]
    public async Task Failures_past_the_free_ones_make_the_client_wait_longer_each_time_and_never_lock()
    {
        var client = factory.CreateClientFrom("198.51.100.10");
        var username = await RegisterAsync(client);
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await (await client.LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        }

        var firstWait = await ThrottledAsync(await client.LoginAsync(username));
        factory.Clock.Advance(TimeSpan.FromSeconds(firstWait));
        await (await client.LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        var secondWait = await ThrottledAsync(await client.LoginAsync(username));
        factory.Clock.Advance(TimeSpan.FromSeconds(secondWait - 1));
        var stillWaiting = await ThrottledAsync(await client.LoginAsync(username));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var afterWaiting = await client.LoginAsync(username);

        firstWait.Should().Be(1);
        secondWait.Should().Be(2);
        stillWaiting.Should().Be(1);
        afterWaiting.StatusCode.Should().Be(HttpStatusCode.OK, "throttling delays; it never locks the account");
    }

    [Fact]
    public async Task Known_and_unknown_usernames_get_the_same_answers_at_every_step()
    {
        var client = factory.CreateClientFrom("198.51.100.11");
        var known = await RegisterAsync(client);
        var unknown = AuthApi.NewUsername("ghost");

        var knownAnswers = new List<string>();
        var unknownAnswers = new List<string>();
        for (var attempt = 1; attempt <= 7; attempt++)
        {
            knownAnswers.Add(await DescribeAsync(await client.LoginAsync(known, WrongPassword)));
            unknownAnswers.Add(await DescribeAsync(await client.LoginAsync(unknown, WrongPassword)));
            if (attempt == 5)
            {
                factory.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        knownAnswers.Should().Equal(unknownAnswers);
        knownAnswers.Should().Contain(a => a.StartsWith("429", StringComparison.Ordinal)).And.Contain(a => a.StartsWith("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_that_is_made_to_wait_does_not_hold_up_the_user_at_another_address()
    {
        var attacker = factory.CreateClientFrom("203.0.113.66");
        var owner = factory.CreateClientFrom("198.51.100.12");
        var username = await RegisterAsync(owner);
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            await attacker.LoginAsync(username, WrongPassword);
        }

        await ThrottledAsync(await attacker.LoginAsync(username));

        (await owner.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Failures_from_many_addresses_make_every_client_wait_on_that_username()
    {
        var owner = factory.CreateClientFrom("198.51.100.13");
        var username = await RegisterAsync(owner);
        for (var bot = 1; bot <= 5; bot++)
        {
            await (await factory.CreateClientFrom($"203.0.113.{bot}").LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        }

        var wait = await ThrottledAsync(await owner.LoginAsync(username));
        factory.Clock.Advance(TimeSpan.FromSeconds(wait));

        (await owner.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task One_client_alone_never_triggers_the_username_wide_wait()
    {
        var attacker = factory.CreateClientFrom("203.0.113.77");
        var owner = factory.CreateClientFrom("198.51.100.14");
        var username = await RegisterAsync(owner);
        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var response = await attacker.LoginAsync(username, WrongPassword);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                factory.Clock.Advance(TimeSpan.FromSeconds(await ThrottledAsync(response)));
                response = await attacker.LoginAsync(username, WrongPassword);
            }

            await response.ShouldBeProblemAsync(401);
        }

        (await owner.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_successful_login_starts_the_clients_count_over()
    {
        var client = factory.CreateClientFrom("198.51.100.15");
        var username = await RegisterAsync(client);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await (await client.LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        }

        (await client.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await (await client.LoginAsync(username, WrongPassword)).ShouldBeProblemAsync(401);
        }

        (await client.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<string> RegisterAsync(HttpClient client)
    {
        var username = AuthApi.NewUsername();
        (await client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);
        return username;
    }

    /// <summary>Asserts a 429 problem with Retry-After and answers its seconds.</summary>
    private static async Task<int> ThrottledAsync(HttpResponseMessage response)
    {
        var problem = await response.ShouldBeProblemAsync(429);
        problem.GetProperty("detail").GetString().Should().Contain("retry in");
        return int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
    }

    /// <summary>Status, Retry-After and body without what differs per request (trace id, instance).</summary>
    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = body.RootElement.EnumerateObject().Where(p => p.Name is not "trace_id").Select(p => $"{p.Name}={p.Value}");
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : "-";
        return $"{(int)response.StatusCode} retry-after={retryAfter} {string.Join("|", fields)}";
    }
}
