using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Security;

/// <summary>
/// The API with two endpoints of its own that name no policy: one closed only by the fallback policy, one by a bare
/// RequireAuthorization() (the default policy). Every real endpoint names its policy (EndpointAuthorizationTests), so
/// these stand for the endpoint someone adds tomorrow and forgets to mark.
/// </summary>
public sealed class UnmarkedEndpointApiFactory : ApiFactory
{
    public const string FallbackOnly = "/api/test/fallback-only/";
    public const string DefaultPolicy = "/api/test/default-policy/";

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, MapUnmarkedEndpoints>());

    private sealed class MapUnmarkedEndpoints : IStartupFilter
    {
        // UseRouting leaves the route builder it matches against (the WebApplication) under this key; endpoints added
        // to it before the first request are routed like the application's own.
        private const string RouteBuilderKey = "__EndpointRouteBuilder";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            var routes = app.Properties.TryGetValue(RouteBuilderKey, out var builder) && builder is IEndpointRouteBuilder found
                ? found
                : throw new InvalidOperationException("No route builder among " + string.Join(", ", app.Properties.Keys));
            routes.MapGet(FallbackOnly, () => Results.Ok(new { reached = true }));
            routes.MapGet(DefaultPolicy, () => Results.Ok(new { reached = true })).RequireAuthorization();
        };
    }
}

public sealed class FallbackPolicyTests(UnmarkedEndpointApiFactory factory) : IClassFixture<UnmarkedEndpointApiFactory>
{
    [Theory]
    [InlineData(UnmarkedEndpointApiFactory.FallbackOnly)]
    [InlineData(UnmarkedEndpointApiFactory.DefaultPolicy)]
    public async Task A_sensor_key_on_an_endpoint_that_names_no_policy_is_a_403(string path)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var response = await sensor.Client.GetAsync(new Uri(path, UriKind.Relative));

        await response.ShouldBeProblemAsync(403);
    }

    [Theory]
    [InlineData(UnmarkedEndpointApiFactory.FallbackOnly)]
    [InlineData(UnmarkedEndpointApiFactory.DefaultPolicy)]
    public async Task A_signed_in_analyst_reaches_an_endpoint_that_names_no_policy(string path)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Nobody_anonymous_reaches_an_endpoint_that_names_no_policy()
    {
        var response = await factory.CreateClient().GetAsync(new Uri(UnmarkedEndpointApiFactory.FallbackOnly, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_default_policy_admits_people_only()
    {
        // The fallback policy is an assertion (people, or routing's own 405/415 refusals): the endpoint tests above and
        // RawIngestTests' 415 for a sensor key show what it admits.
        var byDefault = await factory.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetDefaultPolicyAsync();

        byDefault.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>()
            .Single().AllowedRoles.Should().BeEquivalentTo("ANALYST", "ADMIN");
    }
}
