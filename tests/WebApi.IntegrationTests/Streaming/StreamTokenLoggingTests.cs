using System.Net;
using Serilog.Events;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Streaming;

public sealed class StreamTokenLoggingTests(VerboseLogApiFactory factory) : IClassFixture<VerboseLogApiFactory>
{
    [Fact]
    public async Task An_access_token_in_the_query_string_never_reaches_the_logs_even_at_the_most_verbose_level()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        var token = ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst);
        var client = factory.CreateClient();

        await using (var stream = await SseClient.OpenAsync(client, $"{SseClient.Path}?access_token={token}"))
        {
            (await stream.NextAsync(TimeSpan.FromSeconds(3))).Comment.Should().Be("keep-alive");
        }

        (await client.GetAsync(new Uri($"/api/alerts/?access_token={token}", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await Task.Delay(200);

        var logged = factory.Logged.ToList();
        logged.Should().Contain(e => e.Properties.ContainsKey("QueryString"), "ASP.NET Core's request lines, which carry the query, were logged");
        foreach (var logEvent in logged)
        {
            var text = logEvent.RenderMessage() + string.Join(' ', logEvent.Properties.Select(p => p.Value.ToString()));
            text.Should().NotContain(token);
            text.Should().NotContain(token[..40]);
        }
    }
}
