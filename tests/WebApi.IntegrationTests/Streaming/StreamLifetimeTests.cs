using System.Net;
using System.Net.Http.Headers;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Streaming;

/// <summary>
/// A stream lives no longer than the access that opened it: it ends when its token expires, and at the next heartbeat
/// (1 s here) after its user is deactivated or signs out everywhere; and a user holds only so many streams at once.
/// </summary>
public sealed class StreamLifetimeTests(StreamApiFactory factory) : IClassFixture<StreamApiFactory>
{
    /// <summary>Far more than the heartbeat and the token lifetimes used here: only a stream that never ends reaches it.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_stream_ends_when_the_token_that_opened_it_expires()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        var token = ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst, expires: DateTime.UtcNow.AddSeconds(3));
        await using var stream = await SseClient.OpenAsync(ClientWith(token));

        (await EndsAsync(stream)).Should().BeTrue("the token that opened the stream has expired");
    }

    [Fact]
    public async Task A_token_already_expired_but_within_the_clock_skew_cannot_open_a_stream()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        var token = ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst, expires: DateTime.UtcNow.AddSeconds(-5));
        var client = ClientWith(token);
        (await client.GetAsync(AuthApi.Me)).StatusCode.Should().Be(HttpStatusCode.OK, "the clock skew still admits it elsewhere");

        var response = await SseClient.SendAsync(client);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a stream it opened would end at once; the client must refresh first");
    }

    [Fact]
    public async Task Deactivating_the_user_ends_their_stream_at_the_next_heartbeat()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var (analyst, user) = await factory.SignInAsync(UserRole.Analyst);
        await using var stream = await SseClient.OpenAsync(analyst);
        (await stream.NextAsync(TimeSpan.FromSeconds(3))).Comment.Should().Be("keep-alive");

        (await admin.PatchJsonAsync(AuthApi.User(user.Id), new { is_active = false })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await EndsAsync(stream)).Should().BeTrue("the user was deactivated");
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_the_users_stream_at_the_next_heartbeat()
    {
        var (analyst, _) = await factory.SignInAsync(UserRole.Analyst);
        await using var stream = await SseClient.OpenAsync(analyst);
        (await stream.NextAsync(TimeSpan.FromSeconds(3))).Comment.Should().Be("keep-alive");

        (await analyst.PostAsync(new Uri("/api/auth/logout-all/", UriKind.Relative), null)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await EndsAsync(stream)).Should().BeTrue("the user signed out everywhere");
    }

    [Fact]
    public async Task A_user_holding_the_most_streams_allowed_gets_a_429_with_Retry_After_for_one_more()
    {
        var (analyst, _) = await factory.SignInAsync(UserRole.Analyst);
        var open = new List<SseClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                open.Add(await SseClient.OpenAsync(analyst));
            }

            var refused = await SseClient.SendAsync(analyst, accept: "application/json");

            refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "a sixth stream must not open (its body would never end)");
            var problem = await refused.ShouldBeProblemAsync(429);
            problem.GetProperty("detail").GetString().Should().Contain("5 alert streams");
            refused.Headers.RetryAfter.Should().NotBeNull();
            var (otherUser, _) = await factory.SignInAsync(UserRole.Analyst);
            open.Add(await SseClient.OpenAsync(otherUser));
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_closed_stream_gives_its_slot_back()
    {
        var (analyst, _) = await factory.SignInAsync(UserRole.Analyst);
        var open = new List<SseClient>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                open.Add(await SseClient.OpenAsync(analyst));
            }

            await open[0].DisposeAsync();
            open.RemoveAt(0);

            var deadline = DateTime.UtcNow + Deadline;
            HttpResponseMessage response;
            while ((response = await SseClient.SendAsync(analyst)).StatusCode == HttpStatusCode.TooManyRequests)
            {
                response.Dispose();
                DateTime.UtcNow.Should().BeBefore(deadline, "the closed stream's slot should be free by now");
                await Task.Delay(50);
            }

            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Dispose();
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private HttpClient ClientWith(string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Reads (keep-alives included) until the server ends the stream: true; false when it is still open at the deadline.</summary>
    private static async Task<bool> EndsAsync(SseClient stream)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await stream.NextAsync(TimeSpan.FromSeconds(3));
            }
            catch (EndOfStreamException)
            {
                return true;
            }
        }

        return false;
    }
}
