using System.Net;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Security;

/// <summary>AllowedHosts as shipped (appsettings.json: localhost, 127.0.0.1, [::1]): a forged Host cannot reach the paging links.</summary>
public sealed class AllowedHostsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_request_for_another_host_is_a_400_naming_host_with_the_security_headers()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);

        var response = await client.GetAsync(new Uri("http://attacker.example/api/users/?page_size=1"));

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("host");
        problem.ToString().Should().NotContain("attacker.example");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
    }

    [Fact]
    public async Task Paging_links_name_the_allowed_host_the_request_used()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        await factory.SeedUserAsync(UserRole.Analyst);

        var page = await client.GetJsonAsync(new Uri("http://127.0.0.1/api/users/?page_size=1"));

        page.GetProperty("next").GetString().Should().StartWith("http://127.0.0.1/api/users/?");
    }
}
