using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace ThreatPlatform.WebApi.IntegrationTests.Support;

/// <summary>
/// The API with ConnectionStrings:ReadOnly on the streaming replica of the test cluster (`scripts/pg.sh start-replica`,
/// which `make test` runs; TP_TEST_REPLICA names its server, else port TP_PG_REPLICA_PORT or 25433 beside the primary).
/// Its database is this factory's own, as the replica replays it.
/// </summary>
public class ReplicaApiFactory : ApiFactory, IAsyncLifetime
{
    public string ReplicaConnectionString { get; private set; } = string.Empty;

    /// <summary>The replica's server (its postgres database), where replay is paused and resumed.</summary>
    public static string ReplicaServerConnectionString
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("TP_TEST_REPLICA");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return new NpgsqlConnectionStringBuilder(configured) { Database = "postgres" }.ConnectionString;
            }

            var port = int.TryParse(Environment.GetEnvironmentVariable("TP_PG_REPLICA_PORT"), out var p) ? p : 25433;
            return new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Port = port, Database = "postgres" }.ConnectionString;
        }
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        try
        {
            (await ReplicaScalarAsync<bool>("SELECT pg_is_in_recovery()")).Should().BeTrue("the read replica is a hot standby");
        }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException(
                "No streaming replica of the test cluster answers: run the tests with `make test`, or start it with `scripts/pg.sh start-replica`.", e);
        }

        await ResumeReplayAsync();
        await CatchUpAsync();
        ReplicaConnectionString = new NpgsqlConnectionStringBuilder(ReplicaServerConnectionString)
        {
            Database = new NpgsqlConnectionStringBuilder(ConnectionString).Database,
        }.ConnectionString;
    }

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:ReadOnly", ReplicaConnectionString);
        // The replay pauses a test takes must not count as lag on a machine that is busy with the other tests.
        builder.UseSetting("Database:ReplicaMaxLagSeconds", "600");
    }

    /// <summary>Waits until the replica has replayed everything the primary had written when this was called.</summary>
    public static async Task CatchUpAsync()
    {
        string target;
        await using (var primary = new NpgsqlConnection(TestDatabase.For("postgres")))
        {
            await primary.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", primary);
            target = (string)(await command.ExecuteScalarAsync())!;
        }

        // Two minutes: on two cores busy with the rest of the suite the replica may replay well behind the primary
        // (its slot keeps what it has not received); it must get there, however slowly.
        for (var attempt = 0; attempt < 2400; attempt++)
        {
            if (await ReplicaScalarAsync<bool>($"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"))
            {
                return;
            }

            if (attempt % 20 == 19)
            {
                // An idle primary whose insert position sits just past a page header replays up to it only once more WAL
                // comes: write a record of no consequence.
                await using var primary = new NpgsqlConnection(TestDatabase.For("postgres"));
                await primary.OpenAsync();
                await using var nudge = new NpgsqlCommand("SELECT pg_logical_emit_message(false, 'threatplatform-tests', '')", primary);
                await nudge.ExecuteScalarAsync();
            }

            await Task.Delay(50);
        }

        throw new TimeoutException(
            $"The replica did not replay up to {target} in 2 minutes (replayed: {await ReplicaScalarAsync<string>("SELECT pg_last_wal_replay_lsn()::text")}, "
            + $"WAL receiver: {await ReplicaScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver)")}).");
    }

    public static Task PauseReplayAsync() => ReplicaScalarAsync<object>("SELECT pg_wal_replay_pause()");

    public static Task ResumeReplayAsync() => ReplicaScalarAsync<object>("SELECT pg_wal_replay_resume()");

    public static async Task<T> ReplicaScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ReplicaServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
