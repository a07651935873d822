using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Foundation;

public sealed class FoundationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Live_health_answers_200()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/health/live", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_health_checks_the_database_and_answers_200()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Fact]
    public async Task OpenApi_document_parses_and_declares_bearer_security()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("openapi").GetString().Should().StartWith("3.");
        document.RootElement.GetProperty("info").GetProperty("title").GetString().Should().Be("ThreatPlatform API");
        document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer")
            .GetProperty("scheme").GetString().Should().Be("bearer");
    }

    [Theory]
    [InlineData("/swagger/index.html")]
    [InlineData("/redoc/index.html")]
    public async Task Documentation_pages_are_served(string path)
    {
        var response = await factory.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
    }

    [Fact]
    public async Task Unknown_route_is_a_problem_json_404_for_a_signed_in_caller()
    {
        var client = await factory.CreateClientAsAsync(ThreatPlatform.Domain.Users.UserRole.Analyst);

        var response = await client.GetAsync(new Uri("/api/nothing-here/", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/health/live", UriKind.Relative));

        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here/", null, 404)] // anonymous too: the console's fallback answers an unknown API path with a 404
    [InlineData("GET", "/api/alerts/", null, 401)]
    [InlineData("POST", "/api/auth/login/", "{", 400)]
    [InlineData("POST", "/api/auth/login/", "[1]", 400)]
    public async Task Error_answers_carry_the_security_headers_too(string method, string path, string? body, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await factory.CreateClient().SendAsync(request);

        ((int)response.StatusCode).Should().Be(status);
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        response.Content.Headers.Contains("Content-Security-Policy").Should().BeFalse("it is a response header, not a content header");
        response.Headers.GetValues("Content-Security-Policy").Should().ContainSingle().Which.Should().Contain("default-src 'none'");
    }
}

/// <summary>A factory whose clock throws, to prove an unexpected failure becomes a bare 500 problem with a trace id.</summary>
public sealed class BrokenClockApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.ConfigureTestServices(services =>
    {
        var clock = Substitute.For<TimeProvider>();
        clock.GetUtcNow().Returns(_ => throw new InvalidOperationException("secret connection string Password=hunter2 at Npgsql.Internal"));
        services.AddSingleton(clock);
    });
}

public sealed class UnhandledExceptionTests(BrokenClockApiFactory factory) : IClassFixture<BrokenClockApiFactory>
{
    [Fact]
    public async Task Unhandled_exception_is_a_500_problem_with_trace_id_and_no_internals()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsync(
            new Uri("/api/auth/register/", UriKind.Relative),
            new StringContent("""{"username":"someone_new","email":"someone@example.org","password":"a sound passphrase 42"}""", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var body = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(500);
        problem.RootElement.GetProperty("trace_id").GetString().Should().NotBeNullOrEmpty();
        body.Should().NotContain("hunter2").And.NotContain("Npgsql").And.NotContain("   at ");
        response.Headers.GetValues("X-Content-Type-Options").Should().ContainSingle()
            .Which.Should().Be("nosniff", "the exception handler clears headers; they are set again as the answer starts");
    }
}
