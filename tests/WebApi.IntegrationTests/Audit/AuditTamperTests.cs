using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Audit;

/// <summary>Someone with database access edits or deletes an audit row by hand: verify finds where. Each test on its own database.</summary>
public sealed class AuditTamperTests
{
    [Fact]
    public Task Verify_names_an_entry_edited_with_sql() => OnOwnDatabaseAsync(async factory =>
    {
        var admin = await SeedEntriesAsync(factory);
        (await admin.VerifyAsync()).Should().Be((true, 4L, (long?)null));

        await ExecuteAsync(factory, "UPDATE audit_entries SET detail = 'nothing to see here' WHERE id = 3");

        (await admin.VerifyAsync()).Should().Be((false, 3L, (long?)3));
    });

    [Fact]
    public Task Verify_names_the_entry_after_a_deleted_one() => OnOwnDatabaseAsync(async factory =>
    {
        var admin = await SeedEntriesAsync(factory);

        await ExecuteAsync(factory, "DELETE FROM audit_entries WHERE id = 2");

        (await admin.VerifyAsync()).Should().Be((false, 2L, (long?)3));
    });

    private static async Task OnOwnDatabaseAsync(Func<ApiFactory, Task> test)
    {
        var factory = new ApiFactory();
        await factory.InitializeAsync();
        try
        {
            await test(factory);
        }
        finally
        {
            await factory.DisposeAsync();
        }
    }

    /// <summary>Four failed sign-ins: entries 1 to 4.</summary>
    private static async Task<HttpClient> SeedEntriesAsync(ApiFactory factory)
    {
        var client = factory.CreateClientFrom("192.0.2.50");
        for (var i = 0; i < 4; i++)
        {
            await (await client.LoginAsync(AuthApi.NewUsername("tamper"), "a wrong password")).ShouldBeProblemAsync(401);
        }

        return await factory.CreateClientAsAsync(UserRole.Admin);
    }

    private static async Task ExecuteAsync(ApiFactory factory, string sql)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        (await command.ExecuteNonQueryAsync()).Should().Be(1);
    }
}
