using System.Buffers.Binary;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Security;

/// <summary>The API with the shipped password settings (appsettings.json and defaults), not the tests' fast hashing.</summary>
public sealed class ProductionHashingApiFactory : ApiFactory
{
    protected override string? PasswordIterations => null;
}

/// <summary>What an ASP.NET Core Identity v3 hash says about itself: 0x01, PRF, iterations, salt length (big-endian).</summary>
internal static class IdentityV3Hash
{
    public const uint HmacSha512 = 2;

    public static (uint Prf, uint Iterations) Read(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        bytes[0].Should().Be(0x01, "format marker of Identity v3");
        return (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)));
    }
}

public sealed class ProductionPasswordHashingTests(ProductionHashingApiFactory factory) : IClassFixture<ProductionHashingApiFactory>
{
    [Fact]
    public void The_shipped_work_factor_is_owasps_pbkdf2_hmac_sha512_figure()
    {
        var hasher = factory.Services.GetRequiredService<IPasswordHasher>();

        var (prf, iterations) = IdentityV3Hash.Read(hasher.Hash("a correct horse battery"));

        prf.Should().Be(IdentityV3Hash.HmacSha512);
        iterations.Should().BeGreaterThanOrEqualTo(210_000u);
        factory.Services.GetRequiredService<AuthOptions>().PasswordIterations.Should().Be(AuthOptions.OwaspPbkdf2Sha512Iterations);
    }
}

public sealed class PasswordRehashTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_hash_made_with_fewer_iterations_is_replaced_at_the_next_successful_login()
    {
        var configured = (uint)factory.Services.GetRequiredService<AuthOptions>().PasswordIterations;
        var legacy = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { IterationCount = 500 }));
        var username = AuthApi.NewUsername("legacy");
        var user = await factory.WithDbAsync(async db =>
        {
            var seeded = User.Create(username, $"{username}@example.org", legacy.HashPassword(null!, AuthApi.Password), UserRole.Analyst, DateTimeOffset.UtcNow);
            db.Users.Add(seeded);
            await db.SaveChangesAsync();
            return seeded;
        });
        var client = factory.CreateClient();

        await (await client.LoginAsync(username, "not the right password")).ShouldBeProblemAsync(401);
        var afterFailure = await StoredHashAsync(user.Id);
        var login = await client.LoginAsync(username);
        var afterSuccess = await StoredHashAsync(user.Id);

        IdentityV3Hash.Read(afterFailure).Iterations.Should().Be(500u, "a failed login rehashes nothing");
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        IdentityV3Hash.Read(afterSuccess).Should().Be((IdentityV3Hash.HmacSha512, configured));
        (await client.LoginAsync(username)).StatusCode.Should().Be(HttpStatusCode.OK, "the new hash verifies the same password");
    }

    [Theory]
    [InlineData("leavemealone")]
    [InlineData("123qweasdzxc")]
    [InlineData("  LeaveMeAlone ")]
    public async Task A_password_from_the_published_common_list_is_refused_naming_password(string password)
    {
        var username = AuthApi.NewUsername();

        var response = await factory.CreateClient().RegisterAsync(username, password);

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("password");
        problem.GetProperty("errors").GetProperty("password").EnumerateArray().Select(e => e.GetString()).Should().Contain("This password is too common.");
    }

    private Task<string> StoredHashAsync(long userId) =>
        factory.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.PasswordHash).SingleAsync());
}
