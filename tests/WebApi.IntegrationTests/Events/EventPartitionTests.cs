using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence.Partitions;
using ThreatPlatform.Infrastructure.Persistence.Schema;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Database;
using ThreatPlatform.WebApi.IntegrationTests.Streaming;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>The API with retention on (90 days) and a maintenance interval no test waits for: tests run the job themselves.</summary>
public sealed class RetentionApiFactory : ApiFactory
{
    public const int RetentionDays = 90;

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Retention:EventsDays", RetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Retention:PartitionsAhead", "3");
        builder.UseSetting("Retention:IntervalSeconds", "3600");
        builder.UseSetting("Retention:KeyDeleteBatchSize", "100");
    }

    /// <summary>The maintenance job, after its run at start (so a test's own run is not skipped for the lock).</summary>
    internal async Task<EventPartitionMaintenance> MaintenanceAsync()
    {
        var job = Services.GetRequiredService<EventPartitionMaintenance>();
        await job.FirstRun;
        return job;
    }

    public async Task<T> ScalarAsync<T>(string sql, params NpgsqlParameter[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<string>> PartitionsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 1",
            connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// Moves a stored event into the month of <paramref name="timestamp"/> (creating that month's partition), as if it had
    /// been received then. Its key moves with it (the key trigger fires on INSERT statements only; an UPDATE that moves
    /// a row between partitions is not one).
    /// </summary>
    public async Task BackdateEventAsync(long eventId, DateTimeOffset timestamp)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT tp_ensure_event_partitions(@at, @at);
            UPDATE event_keys SET "timestamp" = @at WHERE event_id = @id;
            UPDATE events SET "timestamp" = @at WHERE id = @id;
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter<long>("id", eventId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { TypedValue = timestamp });
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class EventPartitionTests(RetentionApiFactory factory) : IClassFixture<RetentionApiFactory>
{
    private static string Month(DateTimeOffset at) => $"events_y{at.UtcDateTime:yyyy}m{at.UtcDateTime:MM}";

    [Fact]
    public async Task The_job_keeps_this_month_and_the_next_three_ready_and_the_default_partition_empty()
    {
        var job = await factory.MaintenanceAsync();
        var now = DateTimeOffset.UtcNow;

        var round = await job.RunOnceAsync(CancellationToken.None);

        round.Should().NotBeNull();
        var partitions = await factory.PartitionsAsync();
        partitions.Should().Contain([Month(now), Month(now.AddMonths(1)), Month(now.AddMonths(2)), Month(now.AddMonths(3)), EventPartitionsSql.DefaultPartition]);
        (await factory.ScalarAsync<long>($"SELECT count(*) FROM {EventPartitionsSql.DefaultPartition}")).Should().Be(0);
    }

    [Fact]
    public async Task A_missing_month_the_job_creates_is_logged_as_created_once()
    {
        var job = await factory.MaintenanceAsync();
        var ahead = Month(DateTimeOffset.UtcNow.AddMonths(3));
        await factory.ScalarAsync<object>($"ALTER TABLE events DETACH PARTITION {ahead}; DROP TABLE {ahead}; SELECT 1");

        var first = await job.RunOnceAsync(CancellationToken.None);
        var second = await job.RunOnceAsync(CancellationToken.None);

        first!.Created.Should().Equal(ahead);
        second!.Created.Should().BeEmpty();
    }

    [Fact]
    public async Task Retention_drops_a_month_older_than_the_cutoff_keeps_this_month_and_forgets_the_dropped_keys()
    {
        var job = await factory.MaintenanceAsync();
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var old = await analyst.IngestOkAsync(BatchApi.Event(source, "LOW", "old-1"));
        var recent = await analyst.IngestOkAsync(BatchApi.Event(source, "LOW", "recent-1"));
        var longAgo = new DateTimeOffset(DateTimeOffset.UtcNow.Year - 3, 1, 15, 12, 0, 0, TimeSpan.Zero);
        await factory.BackdateEventAsync(old.GetProperty("id").GetInt64(), longAgo);

        var round = await job.RunOnceAsync(CancellationToken.None);

        round!.Dropped.Should().ContainSingle(d => d.Name == Month(longAgo)).Which.Events.Should().Be(1);
        (await factory.PartitionsAsync()).Should().NotContain(Month(longAgo)).And.Contain(Month(DateTimeOffset.UtcNow));
        (await analyst.GetAsync(EventsApi.Event(old.GetProperty("id").GetInt64()))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await analyst.GetJsonAsync(EventsApi.Event(recent.GetProperty("id").GetInt64()))).GetProperty("external_id").GetString().Should().Be("recent-1");
        (await factory.ScalarAsync<long>("SELECT count(*) FROM event_keys WHERE source = @s AND external_id = 'old-1'", new NpgsqlParameter<string>("s", source))).Should().Be(0);

        // The dropped event's key is free again: a repeat is stored anew (201, a new id), the kept one still answers 200.
        var again = await analyst.IngestOkAsync(BatchApi.Event(source, "LOW", "old-1"));
        again.GetProperty("id").GetInt64().Should().NotBe(old.GetProperty("id").GetInt64());
        (await analyst.IngestAsync(BatchApi.Event(source, "LOW", "recent-1"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_alert_whose_event_was_dropped_reads_on_detail_list_stats_and_its_events_list_with_the_event_expired()
    {
        var job = await factory.MaintenanceAsync();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = BatchApi.NewSource();
        var stored = await admin.IngestOkAsync(EventsApi.NewEvent("CRITICAL", source, "ransomware", "Encrypted shares on fs-01"));
        var alertId = stored.GetProperty("alert_id").GetInt64();
        await factory.BackdateEventAsync(stored.GetProperty("id").GetInt64(), DateTimeOffset.UtcNow.AddYears(-2));

        (await job.RunOnceAsync(CancellationToken.None))!.Dropped.Should().NotBeEmpty();

        var detail = await admin.GetJsonAsync(EventsApi.Alert(alertId));
        detail.GetProperty("event").ValueKind.Should().Be(JsonValueKind.Null);
        detail.GetProperty("event_expired").GetBoolean().Should().BeTrue();
        detail.GetProperty("source").GetString().Should().Be(source);
        detail.GetProperty("event_type").GetString().Should().Be("ransomware");
        detail.GetProperty("description").GetString().Should().Be("Encrypted shares on fs-01");
        detail.GetProperty("severity").GetString().Should().Be("CRITICAL");

        var listed = (await admin.GetJsonAsync($"/api/alerts/?event__source={source}")).GetProperty("results");
        listed.GetArrayLength().Should().Be(1);
        listed[0].GetProperty("id").GetInt64().Should().Be(alertId);
        listed[0].GetProperty("event").ValueKind.Should().Be(JsonValueKind.Null);
        listed[0].GetProperty("event_expired").GetBoolean().Should().BeTrue();

        var events = await admin.GetJsonAsync($"/api/alerts/{alertId}/events/");
        events.GetProperty("count").GetInt64().Should().Be(0);

        (await admin.GetAsync(new Uri("/api/stats/alerts/", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        // Still a working alert: an admin closes it, the live stream announces it, and it reads back.
        await using var stream = await SseClient.OpenAsync(admin);
        (await admin.ChangeStatusAsync(alertId, "RESOLVED")).StatusCode.Should().Be(HttpStatusCode.OK);
        var announced = await stream.NextEventAsync();
        using var data = JsonDocument.Parse(announced.Data!);
        data.RootElement.GetProperty("id").GetInt64().Should().Be(alertId);
        data.RootElement.GetProperty("event").ValueKind.Should().Be(JsonValueKind.Null);
        data.RootElement.GetProperty("event_expired").GetBoolean().Should().BeTrue();
        (await admin.GetJsonAsync(EventsApi.Alert(alertId))).GetProperty("status").GetString().Should().Be("RESOLVED");
    }

    [Fact]
    public async Task A_repeat_whose_first_copy_sits_in_last_months_partition_is_still_a_duplicate_or_a_conflict()
    {
        await factory.MaintenanceAsync();
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var body = BatchApi.Event(source, "HIGH", "across-1");
        var first = await analyst.IngestOkAsync(body);
        var lastMonth = DateTimeOffset.UtcNow.AddMonths(-1);
        await factory.BackdateEventAsync(first.GetProperty("id").GetInt64(), lastMonth);
        (await factory.ScalarAsync<string>("SELECT tableoid::regclass::text FROM events WHERE id = @id", new NpgsqlParameter<long>("id", first.GetProperty("id").GetInt64())))
            .Should().Be(Month(lastMonth));

        var repeat = await analyst.IngestAsync(body);
        var changed = BatchApi.Event(source, "CRITICAL", "across-1");
        var conflict = await analyst.IngestAsync(changed);
        var repeatedInBatch = await (await analyst.PostArrayAsync([body])).ShouldBeBatchAnswerAsync();
        var changedInBatch = await (await analyst.PostArrayAsync([changed])).ShouldBeBatchAnswerAsync();

        repeat.StatusCode.Should().Be(HttpStatusCode.OK);
        (await EventsApi.JsonAsync(repeat)).GetProperty("id").GetInt64().Should().Be(first.GetProperty("id").GetInt64());
        await conflict.ShouldBeProblemAsync(409);
        (repeatedInBatch.Accepted, repeatedInBatch.Duplicates, repeatedInBatch.Rejected.Count).Should().Be((0, 1, 0));
        (changedInBatch.Accepted, changedInBatch.Duplicates).Should().Be((0, 0));
        changedInBatch.Rejected.Should().ContainSingle().Which.Errors.Should().ContainKey("external_id");
        (await factory.ScalarAsync<long>("SELECT count(*) FROM events WHERE source = @s", new NpgsqlParameter<string>("s", source))).Should().Be(1);
    }
}

/// <summary>The job on the least-privilege role: it owns nothing, and creates and drops partitions through the functions only.</summary>
public sealed class EventPartitionPrivilegeTests(LeastPrivilegeDatabase database) : IClassFixture<LeastPrivilegeDatabase>
{
    [Fact]
    public async Task The_api_role_creates_and_drops_month_partitions_through_the_functions()
    {
        var longAgo = new DateTimeOffset(2001, 3, 10, 0, 0, 0, TimeSpan.Zero);
        await LeastPrivilegeDatabase.ExecuteAsync(database.ApiConnectionString, "SELECT tp_ensure_event_partitions('2001-03-01', '2001-03-01')");
        await LeastPrivilegeDatabase.ExecuteAsync(
            database.ApiConnectionString,
            $"INSERT INTO events (source, event_type, severity, description, occurred_at, \"timestamp\", external_id) VALUES ('old', 't', 0, '', '{longAgo:O}', '{longAgo:O}', 'k-1')");

        await LeastPrivilegeDatabase.ExecuteAsync(
            database.ApiConnectionString,
            "SELECT tp_delete_event_keys('events_y2001m03', 0, 100); SELECT tp_drop_event_partition('events_y2001m03', now())");

        var refused = async () => await LeastPrivilegeDatabase.ExecuteAsync(database.ApiConnectionString, "ALTER TABLE events DETACH PARTITION events_default");
        (await refused.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege);
        await using var connection = new NpgsqlConnection(database.ApiConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM event_keys WHERE source = 'old'", connection);
        ((long)(await count.ExecuteScalarAsync())!).Should().Be(0);
        await using var gone = new NpgsqlCommand("SELECT to_regclass('events_y2001m03') IS NULL", connection);
        ((bool)(await gone.ExecuteScalarAsync())!).Should().BeTrue();
    }
}
