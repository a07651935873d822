using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence.Replica;
using ThreatPlatform.WebApi.IntegrationTests.Alerts;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Database;

/// <summary>The tests that pause the shared replica's replay: alone, never beside another that reads from it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReadReplicaCollection
{
    public const string Name = "read replica";
}

/// <summary>
/// ConnectionStrings:ReadOnly on a real streaming replica. Pausing its replay (pg_wal_replay_pause) freezes what it
/// shows: a read that does not see a change made after the pause was answered by the replica, one that sees it by the
/// primary. Every test resumes replay in a finally block.
/// </summary>
[Collection(ReadReplicaCollection.Name)]
public sealed class ReadReplicaTests(ReplicaApiFactory factory) : IClassFixture<ReplicaApiFactory>
{
    [Fact]
    public async Task An_admins_status_change_is_theirs_to_read_at_once_while_others_read_the_lagging_replica()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await admin.RaiseAlertAsync("CRITICAL");
        await ReplicaApiFactory.CatchUpAsync();

        await ReplicaApiFactory.PauseReplayAsync();
        try
        {
            (await admin.ChangeStatusAsync(alertId, "ACKNOWLEDGED", "mine")).StatusCode.Should().Be(HttpStatusCode.OK);

            (await admin.AlertAsync(alertId)).GetProperty("status").GetString().Should().Be("ACKNOWLEDGED", "the admin reads their own write");
            (await analyst.AlertAsync(alertId)).GetProperty("status").GetString().Should().Be("OPEN", "the analyst reads the paused replica");
        }
        finally
        {
            await ReplicaApiFactory.ResumeReplayAsync();
        }

        await ReplicaApiFactory.CatchUpAsync();
        (await analyst.AlertAsync(alertId)).GetProperty("status").GetString().Should().Be("ACKNOWLEDGED", "the replica has caught up");
    }

    [Fact]
    public async Task Lists_details_and_stats_read_the_replica_and_the_writer_sees_what_they_added()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var before = await admin.RaiseAlertAsync("HIGH");
        await ReplicaApiFactory.CatchUpAsync();
        var statsBefore = await TotalAlertsAsync(analyst);

        await ReplicaApiFactory.PauseReplayAsync();
        try
        {
            var stored = await admin.IngestOkAsync(EventsApi.NewEvent("CRITICAL"));
            var eventId = stored.GetProperty("id").GetInt64();
            var alertId = stored.GetProperty("alert_id").GetInt64();
            await admin.CommentOkAsync(before, "seen on the primary");

            (await admin.GetJsonAsync(EventsApi.Alerts)).Ids().Should().Contain(alertId);
            (await analyst.GetJsonAsync(EventsApi.Alerts)).Ids().Should().NotContain(alertId).And.Contain(before);
            (await admin.GetJsonAsync(EventsApi.Events)).Ids().Should().Contain(eventId);
            (await analyst.GetJsonAsync(EventsApi.Events)).Ids().Should().NotContain(eventId);
            (await analyst.GetAsync(EventsApi.Event(eventId))).StatusCode.Should().Be(HttpStatusCode.NotFound, "the replica has not replayed it");
            (await admin.GetJsonAsync(EventsApi.Event(eventId))).GetProperty("alert_id").GetInt64().Should().Be(alertId);
            (await admin.GetJsonAsync($"/api/alerts/{alertId}/events/")).Ids().Should().Equal(eventId);
            (await analyst.GetAsync(new Uri($"/api/alerts/{alertId}/events/", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await analyst.GetJsonAsync(TriageApi.Comments(before))).GetProperty("count").GetInt64().Should().Be(0);
            (await admin.GetJsonAsync(TriageApi.Comments(before))).GetProperty("count").GetInt64().Should().Be(1);
            (await TotalAlertsAsync(analyst)).Should().Be(statsBefore);
            (await TotalAlertsAsync(admin)).Should().Be(statsBefore + 1);
        }
        finally
        {
            await ReplicaApiFactory.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task Writes_go_to_the_primary_while_the_replica_refuses_any()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"fw-{Guid.NewGuid():N}"[..12];

        await ReplicaApiFactory.PauseReplayAsync();
        try
        {
            var alertId = await analyst.RaiseAlertAsync("HIGH", source);
            await analyst.CommentOkAsync(alertId, "written while the replica is frozen");
            (await analyst.PutTagsAsync(alertId, "replica-test")).StatusCode.Should().Be(HttpStatusCode.OK);

            (await CountAsync(factory.ConnectionString, source)).Should().Be(1, "the primary holds the event");
            (await CountAsync(factory.ReplicaConnectionString, source)).Should().Be(0, "the replica has not replayed it");
        }
        finally
        {
            await ReplicaApiFactory.ResumeReplayAsync();
        }

        var refused = async () => await CountAsync(factory.ReplicaConnectionString, source, "DELETE FROM events WHERE source = @source");
        (await refused.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.ReadOnlySqlTransaction);
    }

    [Fact]
    public async Task Ready_reports_a_streaming_replica_as_healthy()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Fact]
    public async Task With_the_replica_down_reads_answer_200_from_the_primary_and_ready_says_degraded()
    {
        await using var down = new DownReplicaApiFactory(factory.ConnectionString);
        var admin = await down.CreateClientAsAsync(UserRole.Admin);
        var analyst = await down.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await admin.RaiseAlertAsync("HIGH");

        (await analyst.GetJsonAsync(EventsApi.Alerts)).Ids().Should().Contain(alertId);
        (await analyst.AlertAsync(alertId)).GetProperty("status").GetString().Should().Be("OPEN");
        (await analyst.GetJsonAsync(EventsApi.Events)).GetProperty("count").GetInt64().Should().BePositive();
        await TotalAlertsAsync(analyst);
        (await analyst.GetJsonAsync(TriageApi.Comments(alertId))).GetProperty("count").GetInt64().Should().Be(0);

        var ready = await down.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Degraded\nreplica: Degraded (unreachable: queries read from the primary)");
    }

    /// <summary>
    /// The replica is cut off from the primary (its primary_conninfo emptied, so no WAL receiver runs) while the primary
    /// writes three times max_wal_size of WAL and checkpoints: without a replication slot (or wal_keep_size) the
    /// primary recycles the segments the replica has not received and the replica can never catch up. With the slot
    /// `scripts/pg.sh start-replica` makes, it streams them once reconnected and serves the last write.
    /// </summary>
    [Fact]
    public async Task A_replica_cut_off_while_the_primary_writes_three_times_max_wal_size_catches_up_and_serves_the_last_write()
    {
        await ReplicaApiFactory.CatchUpAsync();
        var conninfo = await ReplicaApiFactory.ReplicaScalarAsync<string>("SHOW primary_conninfo");
        conninfo.Should().NotBeEmpty("the replica streams from the primary");
        var marker = $"wal-{Guid.NewGuid():N}";
        await using var primary = new NpgsqlConnection(factory.ConnectionString);
        await primary.OpenAsync();
        await ExecuteAsync(primary, "CREATE TABLE IF NOT EXISTS replica_wal_test (id bigserial PRIMARY KEY, marker text NOT NULL)");

        await SetPrimaryConninfoAsync(string.Empty);
        try
        {
            await WaitForAsync("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver)");
            var segments = Convert.ToInt64(
                await ScalarAsync(primary, "SELECT 3 * pg_size_bytes(current_setting('max_wal_size')) / pg_size_bytes(current_setting('wal_segment_size'))"),
                System.Globalization.CultureInfo.InvariantCulture);
            for (var segment = 0; segment < segments; segment++)
            {
                await ExecuteAsync(primary, "INSERT INTO replica_wal_test (marker) VALUES ('filler'); SELECT pg_switch_wal()");
            }

            await ExecuteAsync(primary, "CHECKPOINT");
            await ExecuteAsync(primary, $"INSERT INTO replica_wal_test (marker) VALUES ('{marker}')");
            await ExecuteAsync(primary, "CHECKPOINT");
        }
        finally
        {
            await SetPrimaryConninfoAsync(conninfo);
        }

        await ReplicaApiFactory.CatchUpAsync();
        (await CountAsync(factory.ReplicaConnectionString, marker, "SELECT count(*) FROM replica_wal_test WHERE marker = @source"))
            .Should().Be(1, "the replica replayed everything the primary wrote while it was away");
        var ready = await factory.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }

    [Fact]
    public void Ready_says_a_replica_whose_slot_lost_its_wal_has_fallen_off_for_good()
    {
        var behind = new ReplicaSnapshot(0, Usable: true, 100, LagSeconds: 400, Problem: null, Receiving: false, SlotName: "tp_replica");
        var maxLag = TimeSpan.FromSeconds(30);

        ReplicaHealthCheck.Describe(behind, new SlotState("tp_replica", "lost"), maxLag)
            .Should().StartWith("fallen off the stream for good").And.Contain("slot tp_replica lost").And.Contain("rebuild the replica");
        ReplicaHealthCheck.Describe(behind, new SlotState("tp_replica", null), maxLag)
            .Should().StartWith("cannot stream: its replication slot tp_replica does not exist on the primary");
        ReplicaHealthCheck.Describe(behind, new SlotState("tp_replica", "unreserved"), maxLag)
            .Should().Be("400.0 s behind, no WAL receiver connected, slot tp_replica about to lose WAL it needs (past max_wal_size), "
                         + "more than Database:ReplicaMaxLagSeconds (30): queries read from the primary");
        ReplicaHealthCheck.Describe(behind with { LagSeconds = 0, Receiving = true }, new SlotState("tp_replica", "reserved"), maxLag)
            .Should().BeNull();
    }

    [Fact]
    public async Task The_test_replica_streams_from_its_own_slot_on_the_primary()
    {
        var slot = await ReplicaApiFactory.ReplicaScalarAsync<string>("SELECT current_setting('primary_slot_name', true)");
        slot.Should().NotBeNullOrEmpty("scripts/pg.sh start-replica makes the replica stream from a slot");
        await using var primary = new NpgsqlConnection(factory.ConnectionString);
        await primary.OpenAsync();
        await using var command = new NpgsqlCommand(ReplicaHealthCheck.SlotSql, primary);
        command.Parameters.Add(new NpgsqlParameter { Value = slot });
        (await command.ExecuteScalarAsync()).Should().BeOneOf("reserved", "extended");
    }

    private static async Task SetPrimaryConninfoAsync(string conninfo)
    {
        await using var connection = new NpgsqlConnection(ReplicaApiFactory.ReplicaServerConnectionString);
        await connection.OpenAsync();
        // ALTER SYSTEM takes no parameters: the value is quoted as a literal (it holds the replica's own password).
        await ExecuteAsync(connection, $"ALTER SYSTEM SET primary_conninfo = '{conninfo.Replace("'", "''", StringComparison.Ordinal)}'");
        await ExecuteAsync(connection, "SELECT pg_reload_conf()");
    }

    private static async Task WaitForAsync(string replicaCondition)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (await ReplicaApiFactory.ReplicaScalarAsync<bool>(replicaCondition))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The replica never met: {replicaCondition}");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<long> TotalAlertsAsync(HttpClient client)
    {
        var stats = await client.GetJsonAsync("/api/stats/alerts/");
        return stats.GetProperty("by_status").EnumerateObject().Sum(s => s.Value.GetInt64());
    }

    private static async Task<long> CountAsync(string connectionString, string source, string sql = "SELECT count(*) FROM events WHERE source = @source")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("source", source);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A second host on the same database whose replica is a port nothing listens on.</summary>
    private sealed class DownReplicaApiFactory(string connectionString) : ApiFactory(connectionString)
    {
        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.UseSetting("ConnectionStrings:ReadOnly", new NpgsqlConnectionStringBuilder(ConnectionString) { Port = FreePort() }.ConnectionString);

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
