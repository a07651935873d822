using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.WebApi.IntegrationTests.Support;

/// <summary>
/// Real PostgreSQL for the tests: the schema is migrated once into a template database, and every test class gets
/// its own copy (CREATE DATABASE … TEMPLATE), so classes run in parallel and in any order.
/// </summary>
public static class TestDatabase
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _templateName;

    public static string ServerConnectionString
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Default");
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException(
                    "ConnectionStrings__Default is not set: run the tests with `make test`, which starts a private PostgreSQL.");
            }

            return configured;
        }
    }

    public static async Task<string> CreateAsync()
    {
        var template = await EnsureTemplateAsync();
        var name = $"tp_test_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return For(name);
    }

    /// <summary>A database with no schema at all, for tests of what happens before `migrate` ran.</summary>
    public static async Task<string> CreateEmptyAsync()
    {
        var name = $"tp_test_empty_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return For(name);
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    public static string For(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = true }.ConnectionString;

    private static async Task<string> EnsureTemplateAsync()
    {
        if (_templateName is not null)
        {
            return _templateName;
        }

        await TemplateLock.WaitAsync();
        try
        {
            if (_templateName is not null)
            {
                return _templateName;
            }

            // One template per test run: a run never sees a half-migrated template from another.
            var name = $"tp_template_{Environment.ProcessId}";
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            await ExecuteAsync($"CREATE DATABASE \"{name}\"");
            var options = new DbContextOptionsBuilder<ApplicationDbContext>()
                .UseNpgsql(For(name), o => o.MigrationsHistoryTable("__ef_migrations_history"))
                .UseSnakeCaseNamingConvention()
                .Options;
            await using (var db = ApplicationDbContext.ForMigrations(options))
            {
                await db.Database.MigrateAsync();
            }

            NpgsqlConnection.ClearAllPools();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropQuietly(name);
            _templateName = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static void DropQuietly(string name)
    {
        try
        {
            ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult();
        }
        catch (NpgsqlException)
        {
            // The server may be gone already at process exit; the next run drops its own template.
        }
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(For("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
