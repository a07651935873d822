using System.Net;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

public sealed class RegisterTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Register_creates_an_analyst_and_answers_its_public_fields()
    {
        var username = AuthApi.NewUsername();

        var response = await _client.RegisterAsync(username);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        using var body = await AuthApi.ReadJsonAsync(response);
        var user = body.RootElement;
        user.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("id", "username", "email", "role", "date_joined");
        user.GetProperty("username").GetString().Should().Be(username);
        user.GetProperty("email").GetString().Should().Be($"{username}@example.org");
        user.GetProperty("role").GetString().Should().Be("ANALYST");
    }

    [Fact]
    public async Task Role_smuggled_into_register_is_ignored()
    {
        var username = AuthApi.NewUsername();

        var response = await _client.PostJsonAsync(AuthApi.Register, new
        {
            username,
            email = $"{username}@example.org",
            password = AuthApi.Password,
            role = "ADMIN",
            is_staff = true,
            is_active = false,
        });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Username == username));
        stored.Role.Should().Be(UserRole.Analyst);
        stored.IsActive.Should().BeTrue();
    }

    [Fact]
    public async Task Password_is_stored_hashed_never_as_given()
    {
        var username = AuthApi.NewUsername();

        (await _client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);

        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Username == username));
        stored.PasswordHash.Should().NotContain(AuthApi.Password);
        Convert.FromBase64String(stored.PasswordHash)[0].Should().Be(0x01, "ASP.NET Core Identity's v3 (PBKDF2) format starts with 0x01");
    }

    [Fact]
    public async Task Duplicate_username_differing_only_in_case_is_a_409_naming_username()
    {
        var username = AuthApi.NewUsername("casey");
        (await _client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);

        var response = await _client.PostJsonAsync(AuthApi.Register, new
        {
            username = username.ToUpperInvariant(),
            email = $"other_{username}@example.org",
            password = AuthApi.Password,
        });

        var problem = await response.ShouldBeProblemAsync(409);
        problem.ErrorFields().Should().Equal("username");
    }

    [Fact]
    public async Task Duplicate_email_is_a_409_naming_email()
    {
        var username = AuthApi.NewUsername();
        (await _client.RegisterAsync(username)).StatusCode.Should().Be(HttpStatusCode.Created);

        var response = await _client.PostJsonAsync(AuthApi.Register, new
        {
            username = AuthApi.NewUsername(),
            email = $"{username}@EXAMPLE.org",
            password = AuthApi.Password,
        });

        var problem = await response.ShouldBeProblemAsync(409);
        problem.ErrorFields().Should().Equal("email");
    }

    [Fact]
    public async Task Invalid_register_body_is_a_400_naming_username_email_and_password()
    {
        var response = await _client.PostJsonAsync(AuthApi.Register, new { username = "no spaces!", email = "not-an-email", password = "short" });

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().BeEquivalentTo("username", "email", "password");
    }

    [Fact]
    public async Task Missing_fields_are_each_named_in_a_400()
    {
        var response = await _client.PostJsonAsync(AuthApi.Register, new { });

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().BeEquivalentTo("username", "email", "password");
    }

    [Theory]
    [InlineData("12345678901234", "This password is entirely numeric.")]
    [InlineData("qwertyuiop123", "This password is too common.")]
    [InlineData("Password1234", "This password is too common.")]
    [InlineData("abc12!", "This password is too short. It must contain at least 10 characters.")]
    public async Task Weak_password_is_a_400_naming_password(string password, string message)
    {
        var username = AuthApi.NewUsername();

        var response = await _client.RegisterAsync(username, password);

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("password");
        problem.GetProperty("errors").GetProperty("password").EnumerateArray().Select(m => m.GetString()).Should().Contain(message);
    }

    [Fact]
    public async Task Password_containing_the_username_is_a_400_naming_password()
    {
        var username = AuthApi.NewUsername("marigold");

        var response = await _client.RegisterAsync(username, $"{username.ToUpperInvariant()}!2024");

        var problem = await response.ShouldBeProblemAsync(400);
        problem.GetProperty("errors").GetProperty("password").EnumerateArray().Select(m => m.GetString())
            .Should().Contain("The password is too similar to the username.");
    }

    [Fact]
    public async Task Username_longer_than_150_characters_is_a_400_naming_username()
    {
        var response = await _client.RegisterAsync(new string('a', 151));

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Contain("username");
    }
}
