using System.Diagnostics;
using Npgsql;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Foundation;

public sealed class ConfigurationTests
{
    [Fact]
    public void The_api_runs_with_the_workstation_garbage_collector_and_thread_pool_workers_that_do_not_spin()
    {
        // The API's own runtimeconfig.json, copied next to the tests: what `dotnet ThreatPlatform.WebApi.dll` runs with.
        var path = Path.Combine(AppContext.BaseDirectory, "ThreatPlatform.WebApi.runtimeconfig.json");
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.GetProperty("System.GC.Server").GetBoolean()
            .Should().BeFalse("on a small host the server GC's per-core heaps cost memory and no speed (README, Performance)");
        properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32()
            .Should().Be(0, "spinning workers take the CPU that PostgreSQL and other requests need on two cores");
    }

    [Fact]
    public void Database_url_in_the_original_platform_form_becomes_a_connection_string()
    {
        var connectionString = ConnectionStrings.FromUrl("postgres://soc:p%40ss%3Aword@db.internal:6543/threats");

        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        parsed.Host.Should().Be("db.internal");
        parsed.Port.Should().Be(6543);
        parsed.Database.Should().Be("threats");
        parsed.Username.Should().Be("soc");
        parsed.Password.Should().Be("p@ss:word");
    }

    [Fact]
    public void Connection_string_setting_wins_over_database_url()
    {
        var connectionString = ConnectionStrings.Resolve("Host=primary;Database=a", "postgres://u:p@other:5432/b");

        new NpgsqlConnectionStringBuilder(connectionString).Host.Should().Be("primary");
    }

    [Theory]
    [InlineData("mysql://u:p@h:3306/db")]
    [InlineData("postgres://u:p@h:5432/")]
    [InlineData("not a url")]
    public void Malformed_database_url_is_refused_with_the_expected_form(string url)
    {
        var act = () => ConnectionStrings.FromUrl(url);

        act.Should().Throw<InvalidOperationException>().WithMessage("*DATABASE_URL*");
    }

    [Fact]
    public void Missing_database_configuration_names_both_settings()
    {
        var act = () => ConnectionStrings.Resolve(null, null);

        act.Should().Throw<InvalidOperationException>().WithMessage("*ConnectionStrings__Default*DATABASE_URL*");
    }

    [Theory]
    [InlineData("", "Jwt__SigningKey is not set")]
    [InlineData("too-short-key", "Jwt__SigningKey is too weak")]
    public async Task Process_refuses_to_start_without_a_strong_signing_key_and_says_which_setting(string key, string expected)
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Jwt__SigningKey"] = key,
            ["ConnectionStrings__Default"] = TestDatabase.ServerConnectionString,
            ["Database__MigrateOnStartup"] = "false",
        });

        exitCode.Should().Be(1);
        output.Should().Contain(expected);
    }

    [Theory]
    [InlineData("Production", "", "Audit__ChainKey is not set")]
    [InlineData("Production", "c2hvcnQ=", "Audit__ChainKey is too weak")]
    [InlineData("Development", "not base64 at all!", "Audit__ChainKey is not base64")]
    public async Task Process_refuses_to_start_without_a_usable_audit_chain_key_and_says_which_setting(string environment, string key, string expected)
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["Jwt__SigningKey"] = ApiFactory.SigningKey,
            ["Audit__ChainKey"] = key,
            ["ConnectionStrings__Default"] = TestDatabase.ServerConnectionString,
            ["Database__MigrateOnStartup"] = "false",
        });

        exitCode.Should().Be(1);
        output.Should().Contain(expected);
    }

    [Theory]
    [InlineData("Database__AcquireTimeoutMilliseconds", "0", "Database__AcquireTimeoutMilliseconds")]
    [InlineData("RateLimiting__AuthPermitsPerMinute", "0", "RateLimiting__AuthPermitsPerMinute")]
    [InlineData("RateLimiting__User__PermitsPerMinute", "-1", "RateLimiting__User__PermitsPerMinute")]
    [InlineData("ForwardedHeaders__KnownNetworks__0", "10.0.0.0/33", "ForwardedHeaders__KnownNetworks has '10.0.0.0/33'")]
    [InlineData("Retention__EventsDays", "0", "EventsDays")]
    [InlineData("Retention__PartitionsAhead", "0", "PartitionsAhead")]
    [InlineData("Retention__IntervalSeconds", "0", "IntervalSeconds")]
    public async Task Process_refuses_to_start_with_an_invalid_setting_and_names_it_as_it_is_set(string setting, string value, string expected)
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Jwt__SigningKey"] = ApiFactory.SigningKey,
            ["ConnectionStrings__Default"] = TestDatabase.ServerConnectionString,
            ["Database__MigrateOnStartup"] = "false",
            [setting] = value,
        });

        exitCode.Should().Be(1);
        output.Should().Contain(expected);
    }

    [Fact]
    public async Task Process_names_every_invalid_setting_at_once_before_touching_the_database()
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Jwt__SigningKey"] = ApiFactory.SigningKey,
            ["ConnectionStrings__Default"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Password=none",
            ["ForwardedHeaders__ForwardLimit"] = "0",
            ["Metrics__AllowedNetworks__0"] = "not-a-network",
        });

        exitCode.Should().Be(1);
        output.Should().Contain("ForwardedHeaders__ForwardLimit").And.Contain("Metrics__AllowedNetworks has 'not-a-network'")
            .And.NotContain("stopped unexpectedly", "the settings are refused before the first migration tries the database");
    }

    [Fact]
    public async Task Process_refuses_to_start_with_a_malformed_connection_string()
    {
        var (exitCode, output) = await RunApiAsync(new Dictionary<string, string>
        {
            ["Jwt__SigningKey"] = ApiFactory.SigningKey,
            ["ConnectionStrings__Default"] = "Hots=nowhere;;=",
        });

        exitCode.Should().Be(1);
        output.Should().Contain("ConnectionStrings__Default");
    }

    private static async Task<(int ExitCode, string Output)> RunApiAsync(Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet", [ApiAssemblyPath(), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Remove("DATABASE_URL");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The API did not stop on its own: it should have refused to start.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The WebApi build output of the same configuration as this test assembly.</summary>
    private static string ApiAssemblyPath()
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var directory = new DirectoryInfo(here);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ThreatPlatform.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory!.FullName, "src", "WebApi", "bin", configuration, "net10.0", "ThreatPlatform.WebApi.dll");
    }
}
