using System.Net;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.Hosting;
using ThreatPlatform.WebApi.IntegrationTests.Audit;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Users;

/// <summary>The create-admin command's core, run against the real database with in-memory standard streams.</summary>
public sealed class CreateAdminTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Create_admin_with_the_password_on_stdin_creates_an_active_admin_who_can_log_in()
    {
        var username = AuthApi.NewUsername("boss");

        var run = await RunAsync(AuthApi.Password + "\n", null, "create-admin", "--username", username, "--email", $"{username}@example.org", "--password-stdin");

        run.Exit.Should().Be(0, run.Error);
        run.Output.Should().Contain($"Admin '{username}' created");
        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Username == username));
        stored.Role.Should().Be(UserRole.Admin);
        stored.IsActive.Should().BeTrue();
        var client = factory.CreateClient();
        var (access, _) = await client.LoginTokensAsync(username);
        (await client.GetWithTokenAsync(AuthApi.Users, access)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Create_admin_is_recorded_in_the_audit_log_as_done_by_the_command_line()
    {
        var username = AuthApi.NewUsername("boss");

        var run = await RunAsync(AuthApi.Password + "\n", null, "create-admin", "--username", username, "--email", $"{username}@example.org", "--password-stdin");

        run.Exit.Should().Be(0, run.Error);
        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Username == username));
        var entries = await (await factory.CreateClientAsAsync(UserRole.Admin)).EntriesAsync($"target=user:{stored.Id}");
        entries.Select(e => (e.Action(), e.Text("actor"), e.Text("detail"))).Should().Equal(
            ("ADMIN_CREATED", $"cli:{Environment.UserName}", "create-admin command"));
    }

    [Fact]
    public async Task Create_admin_asks_for_the_password_twice_when_interactive()
    {
        var username = AuthApi.NewUsername("boss");
        var prompts = new List<string>();

        var run = await RunAsync(string.Empty, prompt => { prompts.Add(prompt); return AuthApi.Password; }, "create-admin", $"--username={username}", $"--email={username}@example.org");

        run.Exit.Should().Be(0, run.Error);
        prompts.Should().Equal("Password: ", "Password (again): ");
    }

    [Fact]
    public async Task Different_passwords_at_the_prompt_create_nothing()
    {
        var username = AuthApi.NewUsername("boss");
        var answers = new Queue<string>([AuthApi.Password, AuthApi.Password + "!"]);

        var run = await RunAsync(string.Empty, _ => answers.Dequeue(), "create-admin", "--username", username, "--email", $"{username}@example.org");

        run.Exit.Should().Be(1);
        run.Error.Should().Contain("differ");
        (await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Username == username))).Should().BeFalse();
    }

    [Fact]
    public async Task Existing_username_is_refused_with_a_clear_message()
    {
        var existing = await factory.SeedUserAsync(UserRole.Analyst);

        var run = await RunAsync(AuthApi.Password, null, "create-admin", "--username", existing.Username.ToUpperInvariant(), "--email", "fresh@example.org", "--password-stdin");

        run.Exit.Should().Be(1);
        run.Error.Should().Contain("username: A user with that username already exists.");
    }

    [Fact]
    public async Task Existing_email_is_refused_with_a_clear_message()
    {
        var existing = await factory.SeedUserAsync(UserRole.Analyst);

        var run = await RunAsync(AuthApi.Password, null, "create-admin", "--username", AuthApi.NewUsername(), "--email", existing.Email, "--password-stdin");

        run.Exit.Should().Be(1);
        run.Error.Should().Contain("email: A user with that email already exists.");
    }

    [Fact]
    public async Task Weak_password_is_refused_under_the_register_policy()
    {
        var username = AuthApi.NewUsername("boss");

        var run = await RunAsync("1234567890\n", null, "create-admin", "--username", username, "--email", $"{username}@example.org", "--password-stdin");

        run.Exit.Should().Be(1);
        run.Error.Should().Contain("password: This password is entirely numeric.");
        (await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Username == username))).Should().BeFalse();
    }

    [Theory]
    [InlineData("create-admin", "--username", "alice")]
    [InlineData("create-admin", "--email", "alice@example.org")]
    [InlineData("create-admin", "--username", "alice", "--email", "alice@example.org", "--role", "ADMIN")]
    [InlineData("create-admin", "--username")]
    public async Task Incomplete_or_unknown_arguments_are_a_usage_error(params string[] args)
    {
        var run = await RunAsync(AuthApi.Password, null, args);

        run.Exit.Should().Be(2);
        run.Error.Should().Contain(CreateAdminCli.Usage);
    }

    [Fact]
    public async Task Without_a_terminal_the_password_is_the_first_line_of_stdin()
    {
        var username = AuthApi.NewUsername("boss");

        var run = await RunAsync(AuthApi.Password + "\nignored\n", null, "create-admin", "--username", username, "--email", $"{username}@example.org");

        run.Exit.Should().Be(0, run.Error);
        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Username == username));
        stored.Role.Should().Be(UserRole.Admin);
        var (access, _) = await factory.CreateClient().LoginTokensAsync(username);
        access.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Without_a_terminal_and_nothing_on_stdin_nothing_is_created()
    {
        var username = AuthApi.NewUsername("boss");

        var run = await RunAsync(string.Empty, null, "create-admin", "--username", username, "--email", $"{username}@example.org");

        run.Exit.Should().Be(1);
        run.Error.Should().Contain("No password on standard input.");
        (await factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Username == username))).Should().BeFalse();
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(string stdin, Func<string, string?>? prompt, params string[] args)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var cli = new CreateAdminCli(scope.ServiceProvider.GetRequiredService<ISender>(), new StringReader(stdin), output, error, prompt);
        var exit = await cli.RunAsync(args, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }
}
