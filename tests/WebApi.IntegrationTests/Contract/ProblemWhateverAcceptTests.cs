using System.Net.Http.Headers;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Contract;

/// <summary>
/// An EventSource accepts only text/event-stream; the API's errors are still the problem+json the OpenAPI document
/// declares (ASP.NET Core's own writer declines such a request: text/plain, or no body at all, came back).
/// </summary>
public sealed class ProblemWhateverAcceptTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_stream_without_a_token_is_a_401_problem_for_an_event_stream_client()
    {
        var response = await SendAsync(factory.CreateClient(), "/api/alerts/stream/");

        var problem = await response.ShouldBeProblemAsync(401);

        problem.GetProperty("title").GetString().Should().Be("Unauthorized");
        problem.GetProperty("trace_id").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_bad_last_event_id_is_a_400_problem_naming_it_for_an_event_stream_client()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await SendAsync(client, "/api/alerts/stream/?last_event_id=x");

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("last_event_id");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
