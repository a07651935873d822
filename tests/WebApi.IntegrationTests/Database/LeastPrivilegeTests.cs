using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.IntegrationTests.Alerts;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Database;

/// <summary>
/// As docker/compose.yaml deploys it: an owner role (no superuser) owns the database, docker/postgres/grants.sql runs as
/// that owner before and after the owner applies every migration; the API connects as a role of its own that owns nothing.
/// </summary>
public sealed class LeastPrivilegeDatabase : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];

    public string Owner => "tp_owner_" + _suffix;

    public string Api => "tp_api_" + _suffix;

    public string Database => "tp_test_roles_" + _suffix;

    public string OwnerConnectionString => As(Owner);

    public string ApiConnectionString => As(Api);

    public async Task InitializeAsync()
    {
        await AsServerAsync(
            $"""
            CREATE ROLE "{Owner}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{Owner}';
            CREATE ROLE "{Api}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '{Api}';
            """);
        await AsServerAsync($"""CREATE DATABASE "{Database}" OWNER "{Owner}" """);

        // Grants first, then migrations: the default privileges alone must cover every table a migration creates.
        await ExecuteAsync(OwnerConnectionString, GrantsSql(Api));
        var options = new DbContextOptionsBuilder<ApplicationDbContext>()
            .UseNpgsql(OwnerConnectionString, o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .Options;
        await using (var db = ApplicationDbContext.ForMigrations(options))
        {
            await db.Database.MigrateAsync();
        }

        // As compose runs it: the grants again after migrate (they must not give back what a migration revoked).
        await ExecuteAsync(OwnerConnectionString, GrantsSql(Api));
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AsServerAsync($"""DROP DATABASE IF EXISTS "{Database}" WITH (FORCE)""");
        await AsServerAsync($"""DROP ROLE IF EXISTS "{Api}"; DROP ROLE IF EXISTS "{Owner}";""");
    }

    /// <summary>docker/postgres/grants.sql with its psql variable filled in (the file is what compose runs).</summary>
    public static string GrantsSql(string apiRole)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docker", "postgres", "grants.sql")))
        {
            dir = dir.Parent;
        }

        var sql = File.ReadAllText(Path.Combine(dir?.FullName ?? throw new FileNotFoundException("docker/postgres/grants.sql not found above the test binaries"), "docker", "postgres", "grants.sql"));
        sql.Should().Contain(":'api'");
        return sql.Replace(":'api'", $"'{apiRole}'", StringComparison.Ordinal);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string As(string role) =>
        new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = Database, Username = role, Password = role, Pooling = true }.ConnectionString;

    private static Task AsServerAsync(string sql) => ExecuteAsync(TestDatabase.For("postgres"), sql);
}

/// <summary>The API on the least-privilege role's connection string.</summary>
public sealed class RoleApiFactory(string connectionString) : ApiFactory(connectionString);

public sealed class LeastPrivilegeTests(LeastPrivilegeDatabase database) : IClassFixture<LeastPrivilegeDatabase>
{
    [Fact]
    public async Task The_api_role_is_no_superuser_and_can_neither_create_nor_alter_nor_drop_tables()
    {
        await using (var connection = new NpgsqlConnection(database.ApiConnectionString))
        {
            await connection.OpenAsync();
            await using var roles = new NpgsqlCommand("SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = current_user", connection);
            ((bool)(await roles.ExecuteScalarAsync())!).Should().BeFalse();
        }

        foreach (var ddl in new[] { "CREATE TABLE intruder (id int)", "ALTER TABLE alerts ADD COLUMN intruder int", "DROP TABLE events", "TRUNCATE users" })
        {
            var refused = async () => await LeastPrivilegeDatabase.ExecuteAsync(database.ApiConnectionString, ddl);
            (await refused.Should().ThrowAsync<PostgresException>(ddl)).Which.SqlState.Should().BeOneOf(
                PostgresErrorCodes.InsufficientPrivilege);
        }
    }

    [Theory]
    [InlineData("UPDATE audit_entries SET detail = 'nothing to see here'")]
    [InlineData("DELETE FROM audit_entries")]
    [InlineData("TRUNCATE audit_entries")]
    public async Task The_api_role_may_not_update_delete_or_truncate_audit_entries(string sql)
    {
        var refused = async () => await LeastPrivilegeDatabase.ExecuteAsync(database.ApiConnectionString, sql);

        (await refused.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege);
    }

    [Theory]
    [InlineData("UPDATE audit_entries SET detail = 'nothing to see here'")]
    [InlineData("DELETE FROM audit_entries")]
    [InlineData("TRUNCATE audit_entries")]
    public async Task Even_the_owner_cannot_change_audit_entries_while_the_append_only_triggers_stand(string sql)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        // In a transaction that never commits: the row is there for the row trigger to see, and gone afterwards.
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO audit_entries (id, at, action, previous_hash, hash, chain_version) VALUES (-1, now(), 1, '{new string('0', 64)}', '{new string('0', 64)}', 2)",
            connection,
            transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using var change = new NpgsqlCommand(sql, connection, transaction);
        var refused = async () => await change.ExecuteNonQueryAsync();

        (await refused.Should().ThrowAsync<PostgresException>()).Which.MessageText.Should().StartWith("audit_entries is append-only");
    }

    [Fact]
    public async Task A_table_a_later_migration_creates_is_usable_by_the_api_role_through_the_default_privileges()
    {
        await LeastPrivilegeDatabase.ExecuteAsync(database.OwnerConnectionString, "CREATE TABLE later_migration (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)");

        await LeastPrivilegeDatabase.ExecuteAsync(database.ApiConnectionString, "INSERT INTO later_migration (note) VALUES ('ok'); UPDATE later_migration SET note = 'still ok'; DELETE FROM later_migration");
    }

    [Fact]
    public async Task The_api_works_end_to_end_on_the_least_privilege_role()
    {
        await using var factory = new RoleApiFactory(database.ApiConnectionString);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var anonymous = factory.CreateClient();

        (await anonymous.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        var signedUp = await anonymous.SignUpAsync();
        var (_, refresh) = await anonymous.LoginTokensAsync(signedUp.Username);
        (await anonymous.RefreshAsync(refresh)).StatusCode.Should().Be(HttpStatusCode.OK);

        var sensor = await factory.SensorWithKeyAsync(admin);
        (await sensor.Client.IngestAsync(EventsApi.NewEvent("CRITICAL", sensor.Sources[0]))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await (await sensor.Client.PostNdjsonAsync(
            [BatchApi.Line(BatchApi.Event(sensor.Sources[0], "HIGH", "b-1")), BatchApi.Line(BatchApi.Event(sensor.Sources[0], "LOW", "b-2"))]))
            .ShouldBeBatchAnswerAsync()).Accepted.Should().Be(2);

        var alertId = await admin.RaiseAlertAsync();
        (await admin.ChangeStatusAsync(alertId, "ACKNOWLEDGED")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PutTagsAsync(alertId, "triage")).StatusCode.Should().Be(HttpStatusCode.OK);
        await admin.CommentOkAsync(alertId, "looked at it");
        (await admin.GetAsync(EventsApi.Alert(alertId))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync(new Uri("/api/alerts/?search=port&ordering=-created_at", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetAsync(new Uri("/api/stats/alerts/", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.DeleteAsync(new Uri($"/api/sensors/{sensor.SensorId}/keys/{sensor.KeyId}/", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }
}
