using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Security;

/// <summary>Closed unless marked: every endpoint names a policy or says it is anonymous, and anything else needs a signed-in caller.</summary>
public sealed class EndpointAuthorizationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>The only endpoints anyone may call: sign-up and sign-in, and the health probes.</summary>
    private static readonly string[] Anonymous =
    [
        "POST /api/auth/register/",
        "POST /api/auth/login/",
        "POST /api/auth/refresh/",
        "ANY /health/live",
        "ANY /health/ready",
        "ANY /metrics", // anonymous, and answered only to Metrics__AllowedNetworks
        "GET /redoc/offline.js", // the public documentation page's script
        "GET,HEAD /{*path:nonfile}", // the SOC console's page (its API calls carry tokens)
    ];

    [Fact]
    public void Every_endpoint_requires_a_policy_or_is_explicitly_anonymous_and_only_the_expected_ones_are_anonymous()
    {
        factory.CreateClient().Dispose();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var anonymous = new List<string>();
        var unmarked = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var name = Describe(endpoint);
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                anonymous.Add(name);
            }
            else if (endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0
                     && endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>().Count == 0)
            {
                unmarked.Add(name);
            }
        }

        endpoints.Should().HaveCountGreaterThan(20);
        unmarked.Should().BeEmpty("an endpoint that names no policy is closed only by the fallback; say what it needs");
        anonymous.Should().BeEquivalentTo(Anonymous);
    }

    [Fact]
    public async Task The_fallback_policy_requires_a_signed_in_caller()
    {
        var policy = await factory.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync();

        policy.Should().NotBeNull();
        policy!.Requirements.Should().ContainSingle(r => r is Microsoft.AspNetCore.Authorization.Infrastructure.DenyAnonymousAuthorizationRequirement);
        (await factory.CreateClient().GetAsync(new Uri("/api/alerts/", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await factory.CreateClient().GetAsync(new Uri("/api/no/such/thing/", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound, "the console's fallback answers unknown API paths for anyone, and says nothing more");
    }

    [Theory]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/swagger/index.html")]
    [InlineData("/redoc/index.html")]
    public async Task The_documentation_stays_public(string path)
    {
        var response = await factory.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static string Describe(RouteEndpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"];
        return $"{string.Join(",", methods)} /{endpoint.RoutePattern.RawText?.TrimStart('/')}";
    }
}
