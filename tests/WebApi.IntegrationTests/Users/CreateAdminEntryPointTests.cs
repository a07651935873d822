using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Users;

/// <summary>create-admin through the real entry point (the API's own binary), as `make create-admin` runs it.</summary>
public sealed class CreateAdminEntryPointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Create_admin_runs_through_the_api_binary()
    {
        var username = AuthApi.NewUsername("root");

        var run = await RunApiAsync(factory.ConnectionString, AuthApi.Password, "create-admin", "--username", username, "--email", $"{username}@example.org", "--password-stdin");

        run.Exit.Should().Be(0, run.Error);
        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Username == username));
        stored.Role.Should().Be(UserRole.Admin);
    }

    [Fact]
    public async Task A_piped_password_needs_no_flag()
    {
        var username = AuthApi.NewUsername("root");

        var run = await RunApiAsync(factory.ConnectionString, AuthApi.Password, "create-admin", "--username", username, "--email", $"{username}@example.org");

        run.Exit.Should().Be(0, run.Error);
        var stored = await factory.WithDbAsync(db => db.Users.SingleAsync(u => u.Username == username));
        stored.Role.Should().Be(UserRole.Admin);
    }

    [Fact]
    public async Task Create_admin_on_an_unmigrated_database_fails_clearly()
    {
        var empty = await TestDatabase.CreateEmptyAsync();
        try
        {
            var run = await RunApiAsync(empty, AuthApi.Password, "create-admin", "--username", "root", "--email", "root@example.org", "--password-stdin");

            run.Exit.Should().Be(1);
            run.Error.Should().Contain("not migrated");
        }
        finally
        {
            await TestDatabase.DropAsync(empty);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunApiAsync(string connectionString, string stdin, params string[] args)
    {
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, "ThreatPlatform.WebApi.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__Default"] = connectionString;
        start.Environment["Jwt__SigningKey"] = ApiFactory.SigningKey;
        start.Environment["Audit__ChainKey"] = ApiFactory.AuditChainKey;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
