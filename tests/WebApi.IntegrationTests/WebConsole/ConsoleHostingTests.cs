using System.Net;
using Microsoft.AspNetCore.Hosting;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.WebConsole;

/// <summary>A built console in a temporary folder, found through Console:Root.</summary>
public sealed class BuiltConsoleApiFactory : ApiFactory
{
    public string Root { get; } = Directory.CreateTempSubdirectory("tp-console-").FullName;

    public BuiltConsoleApiFactory()
    {
        File.WriteAllText(Path.Combine(Root, "index.html"), "<!doctype html><title>console</title><div id=root></div>");
        Directory.CreateDirectory(Path.Combine(Root, "assets"));
        File.WriteAllText(Path.Combine(Root, "assets", "index-abc123.js"), "console.log('console');");
    }

    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseSetting("Console:Root", Root);
}

/// <summary>No console build where Console:Root points.</summary>
public sealed class UnbuiltConsoleApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("Console:Root", Directory.CreateTempSubdirectory("tp-no-console-").FullName);
}

public sealed class ConsoleHostingTests(BuiltConsoleApiFactory factory) : IClassFixture<BuiltConsoleApiFactory>
{
    private async Task<HttpResponseMessage> GetAsync(string path) =>
        await factory.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

    [Theory]
    [InlineData("/")]
    [InlineData("/alerts/42")]
    [InlineData("/admin/sensors")]
    public async Task Console_routes_answer_its_index_page_under_a_strict_csp(string path)
    {
        var response = await GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<div id=root>");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("script-src 'self';").And.Contain("connect-src 'self'").And.Contain("frame-ancestors 'none'");
        csp.Should().NotContain("unsafe-inline").And.NotContain("http");
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
    }

    [Fact]
    public async Task Hashed_assets_are_cached_for_a_year()
    {
        var response = await GetAsync("/assets/index-abc123.js");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.ToString().Should().Contain("immutable").And.Contain("max-age=31536000");
    }

    [Fact]
    public async Task A_missing_asset_is_a_404_not_the_index_page()
    {
        // Signed in: an anonymous request that no endpoint serves meets the closed-by-default policy (401) first.
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var response = await analyst.GetAsync(new Uri("/assets/gone-000.js", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/no-such-thing/")]
    [InlineData("/api/alerts/1/nothing/")]
    [InlineData("/swagger/nothing")]
    [InlineData("/health/nothing")]
    [InlineData("/metrics/nothing")]
    public async Task The_fallback_never_shadows_api_docs_health_or_metrics_paths(string path)
    {
        var response = await GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType?.MediaType.Should().NotBe("text/html");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().NotBe(Common.SecurityHeaders.ConsolePolicy);
    }

    [Fact]
    public async Task Api_endpoints_still_answer_as_before()
    {
        (await GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync("/api/alerts/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await GetAsync("/swagger/v1/swagger.json")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_method_on_a_console_route_is_not_answered_with_the_page()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var response = await analyst.PostAsync(new Uri("/alerts/42", UriKind.Relative), new StringContent("{}"));

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task ReDoc_loads_nothing_from_another_origin()
    {
        var index = await (await GetAsync("/redoc/index.html")).Content.ReadAsStringAsync();
        var script = await GetAsync("/redoc/offline.js");

        index.Should().NotContain("googleapis").And.NotContain("cdn.").And.NotContain("https://");
        index.Should().Contain("redoc-container");
        script.StatusCode.Should().Be(HttpStatusCode.OK);
        (await GetAsync("/redoc/redoc.standalone.js")).StatusCode.Should().Be(HttpStatusCode.OK);
        var csp = (await GetAsync("/redoc/index.html")).Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("default-src 'self'").And.Contain("script-src 'self';");
    }
}

public sealed class UnbuiltConsoleTests(UnbuiltConsoleApiFactory factory) : IClassFixture<UnbuiltConsoleApiFactory>
{
    [Fact]
    public async Task Without_a_build_the_root_page_says_how_to_build_the_console()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var page = await response.Content.ReadAsStringAsync();
        page.Should().Contain("not built").And.Contain("make console").And.Contain("npm run build");
    }

    [Fact]
    public async Task Without_a_build_the_api_runs_as_usual()
    {
        (await factory.CreateClient().GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
