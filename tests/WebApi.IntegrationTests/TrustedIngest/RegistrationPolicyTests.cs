using Microsoft.AspNetCore.Hosting;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.TrustedIngest;

public sealed class ApprovalRegistrationApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseSetting("Auth:Registration", "approval");
}

public sealed class ClosedRegistrationApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseSetting("Auth:Registration", "closed");
}

public sealed class ApprovalRegistrationTests(ApprovalRegistrationApiFactory factory) : IClassFixture<ApprovalRegistrationApiFactory>
{
    [Fact]
    public async Task A_new_account_waits_for_an_admin_and_can_sign_in_once_activated()
    {
        var client = factory.CreateClient();
        var name = AuthApi.NewUsername();
        var registered = await client.RegisterAsync(name);
        ((int)registered.StatusCode).Should().Be(201);
        using var user = await AuthApi.ReadJsonAsync(registered);
        var id = user.RootElement.GetProperty("id").GetInt64();

        var waiting = await (await client.LoginAsync(name)).ShouldBeProblemAsync(403);
        waiting.GetProperty("detail").GetString().Should().Contain("awaiting approval");
        var admin = await factory.CreateClientAsAsync(Domain.Users.UserRole.Admin);
        ((int)(await admin.PatchJsonAsync(AuthApi.User(id), new { is_active = true })).StatusCode).Should().Be(200);

        ((int)(await client.LoginAsync(name)).StatusCode).Should().Be(200);
    }

    [Fact]
    public async Task A_wrong_password_for_a_waiting_account_is_the_usual_401()
    {
        var client = factory.CreateClient();
        var name = AuthApi.NewUsername();
        await client.RegisterAsync(name);

        await (await client.LoginAsync(name, "not-the-password-123")).ShouldBeProblemAsync(401);
    }
}

public sealed class ClosedRegistrationTests(ClosedRegistrationApiFactory factory) : IClassFixture<ClosedRegistrationApiFactory>
{
    [Fact]
    public async Task Register_is_refused_with_a_403()
    {
        var response = await factory.CreateClient().RegisterAsync(AuthApi.NewUsername());

        await response.ShouldBeProblemAsync(403);
    }
}
