using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>
/// Signing out everywhere and deactivation end the access tokens issued before them at the next request (each user keeps
/// a tokens-valid-after time, asked through the principal cache), not when the tokens expire 15 minutes later.
/// </summary>
public sealed class SessionRevocationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly Uri LogoutAll = new("/api/auth/logout-all/", UriKind.Relative);

    [Fact]
    public async Task An_access_token_is_refused_once_its_user_signs_out_everywhere()
    {
        var client = factory.CreateClient();
        var user = await client.SignUpAsync();
        var otherSession = await client.LoginTokensAsync(user.Username);

        (await client.PostWithTokenAsync(LogoutAll, user.Access, new { })).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await (await client.GetWithTokenAsync(AuthApi.Me, user.Access)).ShouldBeProblemAsync(401);
        await (await client.GetWithTokenAsync(AuthApi.Me, otherSession.Access)).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task A_sign_in_right_after_signing_out_everywhere_gets_a_token_that_works()
    {
        var client = factory.CreateClient();
        var user = await client.SignUpAsync();
        (await client.PostWithTokenAsync(LogoutAll, user.Access, new { })).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var fresh = await client.LoginTokensAsync(user.Username);

        (await client.GetWithTokenAsync(AuthApi.Me, fresh.Access)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_issued_before_a_deactivation_stays_refused_after_the_user_is_reactivated()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var client = factory.CreateClient();
        var user = await client.SignUpAsync();
        (await admin.PatchJsonAsync(AuthApi.User(user.Id), new { is_active = false })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await admin.PatchJsonAsync(AuthApi.User(user.Id), new { is_active = true })).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await client.GetWithTokenAsync(AuthApi.Me, user.Access)).ShouldBeProblemAsync(401);
        var fresh = await client.LoginTokensAsync(user.Username);
        (await client.GetWithTokenAsync(AuthApi.Me, fresh.Access)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_signed_out_everywhere_through_one_host_is_refused_by_another_host_with_a_warm_cache()
    {
        await using var hostB = factory.OnSameDatabase();
        var onA = factory.CreateClient();
        var onB = hostB.CreateClient();
        var cachesB = hostB.Services.GetRequiredService<Caches>();
        await WaitUntilAsync(() => cachesB.Users.IsTrusted);
        var user = await onA.SignUpAsync();
        (await onB.GetWithTokenAsync(AuthApi.Me, user.Access)).StatusCode.Should().Be(HttpStatusCode.OK);
        cachesB.Users.TryGet(user.Id, out _).Should().BeTrue("host B answers the user from its cache now");

        (await onA.PostWithTokenAsync(LogoutAll, user.Access, new { })).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await SensorsApi.ShouldBecomeUnauthorizedAsync(() => onB.GetWithTokenAsync(AuthApi.Me, user.Access), TimeSpan.FromSeconds(10));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the listener should have connected by now");
            await Task.Delay(20);
        }
    }
}
