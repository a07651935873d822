using System.Net;
using System.Text.Json.Nodes;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Contract;

/// <summary>The check every integration-test response goes through (<see cref="OpenApiContractHandler"/>) can fail, and says why.</summary>
public sealed class OpenApiContractTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Problem = """{"type":"https://httpstatuses.io/418","title":"Teapot","status":418}""";

    [Fact]
    public async Task A_status_the_operation_does_not_list_is_reported_as_exactly_that()
    {
        var contract = await ServedContractAsync();

        var violations = contract.Check("GET", "/api/alerts/", (HttpStatusCode)418, "application/problem+json", Problem);

        violations.Should().ContainSingle().Which.Should()
            .StartWith("GET /api/alerts/ (Alerts_List) answered 418, a status the operation does not list (it lists 200, 400, 401, 403, 404,");
    }

    [Fact]
    public async Task A_body_that_breaks_its_schema_is_reported_with_the_field_it_breaks()
    {
        var contract = await ServedContractAsync();
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var me = JsonNode.Parse(await client.GetStringAsync(new Uri("/api/auth/me/", UriKind.Relative)))!.AsObject();
        me["username"] = 42;
        me["shoe_size"] = 44;

        var violations = contract.Check("GET", "/api/auth/me/", HttpStatusCode.OK, "application/json", me.ToJsonString());

        violations.Should().Equal(
            "GET /api/auth/me/ (Auth_Me) answered 200 with a body (application/json) that does not match #/components/schemas/MeDto: "
            + "StringExpected at #/username; NoAdditionalPropertiesAllowed at #/shoe_size");
    }

    [Fact]
    public async Task The_same_body_unchanged_matches()
    {
        var contract = await ServedContractAsync();
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var me = await client.GetStringAsync(new Uri("/api/auth/me/", UriKind.Relative));

        contract.Check("GET", "/api/auth/me/", HttpStatusCode.OK, "application/json", me).Should().BeEmpty();
    }

    [Fact]
    public async Task A_content_type_the_status_does_not_describe_is_reported()
    {
        var contract = await ServedContractAsync();

        var violations = contract.Check("GET", "/api/alerts/7/", HttpStatusCode.NotFound, "text/plain", "Status Code: 404; Not Found");

        violations.Should().Equal("GET /api/alerts/{id}/ (Alerts_Get) answered 404 as text/plain, where the document describes application/problem+json");
    }

    [Fact]
    public async Task An_operation_the_document_lacks_is_reported_unless_the_api_refused_the_route()
    {
        var contract = await ServedContractAsync();

        var answered = contract.Check("DELETE", "/api/alerts/", HttpStatusCode.NoContent, null, string.Empty);
        var refused = contract.Check("DELETE", "/api/alerts/", HttpStatusCode.MethodNotAllowed, "application/problem+json",
            """{"type":"https://httpstatuses.io/405","title":"Method Not Allowed","status":405}""");

        answered.Should().Equal("DELETE /api/alerts/ answered 204, but the document has no operation DELETE for this path");
        refused.Should().BeEmpty();
    }

    [Fact]
    public async Task A_path_no_operation_matches_may_ask_an_anonymous_caller_for_credentials_first()
    {
        var contract = await ServedContractAsync();

        contract.Check("PATCH", "/api/", HttpStatusCode.Unauthorized, "application/problem+json", Problem).Should().BeEmpty();
        contract.Check("PATCH", "/api/", HttpStatusCode.OK, "application/json", "{}").Should().ContainSingle();
    }

    [Fact]
    public async Task A_stream_is_checked_for_status_and_content_type_without_reading_it()
    {
        var contract = await ServedContractAsync();

        contract.Check("GET", "/api/alerts/stream/", HttpStatusCode.OK, "text/event-stream", body: null).Should().BeEmpty();
        contract.Check("GET", "/api/alerts/stream/", HttpStatusCode.OK, "application/json", body: null).Should().ContainSingle();
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/metrics")]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/")]
    [InlineData("/api/test/fallback-only/")]
    public void Paths_outside_the_api_are_not_checked(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri("http://localhost"), path));

        OpenApiContract.Covers(request).Should().BeFalse();
    }

    [Fact]
    public async Task The_handler_throws_in_the_test_that_got_an_undocumented_response()
    {
        var contract = await ServedContractAsync();
        using var client = new HttpClient(new OpenApiContractHandler(() => Task.FromResult(contract))
        {
            InnerHandler = new Answer(new HttpResponseMessage((HttpStatusCode)418) { Content = new StringContent(Problem, null, "application/problem+json") }),
        })
        { BaseAddress = new Uri("http://localhost") };

        var send = () => client.GetAsync(new Uri("/api/auth/me/", UriKind.Relative));

        (await send.Should().ThrowAsync<OpenApiContractViolationException>()).Which.Violations.Should().ContainSingle()
            .Which.Should().StartWith("GET /api/auth/me/ (Auth_Me) answered 418, a status the operation does not list");
    }

    private async Task<OpenApiContract> ServedContractAsync()
    {
        using var client = factory.Server.CreateClient();
        return await OpenApiContract.FromJsonAsync(await client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));
    }

    private sealed class Answer(HttpResponseMessage response) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(response);
    }
}
