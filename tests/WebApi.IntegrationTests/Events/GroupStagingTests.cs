using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.Infrastructure.Persistence.Batch;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>
/// Group commit's writes stage their rows in a temporary table kept by the connection (ON COMMIT DELETE ROWS), not one
/// created and dropped by every transaction. Every write here goes through a pool of one connection with the API's pool
/// settings, so each group runs on the same PostgreSQL session as the one before it.
/// </summary>
public sealed class GroupStagingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Two_groups_in_a_row_on_one_connection_are_both_stored_through_the_one_staging_table_it_keeps()
    {
        await using var pool = OneConnection();
        var source = BatchApi.NewSource();

        var first = await WriteGroupAsync(pool, Events(source, "first", 3));
        var tableAfterFirst = await StagingTableAsync(pool);
        var second = await WriteGroupAsync(pool, Events(source, "second", 2));
        var tableAfterSecond = await StagingTableAsync(pool);

        first.Should().HaveCount(3).And.OnlyContain(w => w != null);
        second.Should().HaveCount(2).And.OnlyContain(w => w != null);
        second.Select(w => w!.Id).Should().NotIntersectWith(first.Select(w => w!.Id));
        tableAfterFirst.Oid.Should().NotBeNull("the staging table outlives the transaction that staged the first group");
        tableAfterSecond.Oid.Should().Be(tableAfterFirst.Oid, "the second group reuses it: nothing is created or dropped per transaction");
        tableAfterFirst.Rows.Should().Be(0, "a commit empties it");
        tableAfterSecond.Rows.Should().Be(0);
        (await StoredAsync(source)).Should().BeEquivalentTo(["first-0", "first-1", "first-2", "second-0", "second-1"]);
    }

    [Fact]
    public async Task A_rolled_back_group_leaves_nothing_staged_for_the_next_group_on_its_connection()
    {
        await using var pool = OneConnection();
        var source = BatchApi.NewSource();
        var doomed = $"doomed-{Guid.NewGuid():N}"[..15];
        await factory.RefuseAlertsFromAsync(doomed);
        IReadOnlyList<SecurityEvent> Refused(string name) =>
            [.. Events(source, name, 2), Event(doomed, $"{name}-doomed", Severity.Critical)];

        // The connection's first group fails: the staging table it created goes with the rollback.
        var firstOnConnection = () => WriteGroupAsync(pool, Refused("refused-first"));
        await firstOnConnection.Should().ThrowAsync<PostgresException>();
        var afterFirst = await WriteGroupAsync(pool, Events(source, "after-first", 1));
        // A group fails on a connection whose staging table already exists: its staged rows go with the rollback.
        var laterOnConnection = () => WriteGroupAsync(pool, Refused("refused-later"));
        await laterOnConnection.Should().ThrowAsync<PostgresException>();
        var afterLater = await WriteGroupAsync(pool, Events(source, "after-later", 2));

        afterFirst.Should().ContainSingle().Which.Should().NotBeNull();
        afterLater.Should().HaveCount(2).And.OnlyContain(w => w != null, "the next group answers for its own rows only");
        (await StagingTableAsync(pool)).Rows.Should().Be(0);
        (await StoredAsync(source)).Should().BeEquivalentTo(["after-first-0", "after-later-0", "after-later-1"]);
        (await StoredAsync(doomed)).Should().BeEmpty();
    }

    /// <summary>A pool of one physical connection, with the API's pool settings (no reset on close, auto-prepare).</summary>
    private NpgsqlDataSource OneConnection() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionStrings.WithPoolDefaults(factory.ConnectionString))
        {
            MaxPoolSize = 1,
        }.ConnectionString);

    private async Task<IReadOnlyList<WrittenEvent?>> WriteGroupAsync(NpgsqlDataSource pool, IReadOnlyList<SecurityEvent> events)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var writer = new EventBatchWriter(pool, new ConnectionBudget(TimeSpan.FromSeconds(10)), scope.ServiceProvider.GetRequiredService<ApplicationDbContext>());
        var sla = scope.ServiceProvider.GetRequiredService<SlaPolicy>();
        var result = await writer.WriteEachAsync(events, SeverityRules.AlertingSeverities, sla, DateTimeOffset.UtcNow, RuleHits.None, CancellationToken.None);
        return result.Events;
    }

    /// <summary>The session's staging table (null when it has none) and the rows it holds, read on the pool's one connection.</summary>
    private static async Task<(uint? Oid, long Rows)> StagingTableAsync(NpgsqlDataSource pool)
    {
        await using var connection = await pool.OpenConnectionAsync();
        await using var find = new NpgsqlCommand($"SELECT to_regclass('pg_temp.{EventBatchWriter.GroupStagingTable}')::oid", connection);
        var oid = await find.ExecuteScalarAsync() is uint found ? found : (uint?)null;
        if (oid is null)
        {
            return (null, 0);
        }

        await using var count = new NpgsqlCommand($"SELECT count(*) FROM pg_temp.{EventBatchWriter.GroupStagingTable}", connection);
        return (oid, (long)(await count.ExecuteScalarAsync())!);
    }

    private Task<List<string>> StoredAsync(string source) =>
        factory.WithDbAsync(db => db.Events.Where(e => e.Source == source).Select(e => e.ExternalId!).ToListAsync());

    private static List<SecurityEvent> Events(string source, string name, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Event(source, $"{name}-{i}", i % 2 == 0 ? Severity.Low : Severity.High))];

    private static SecurityEvent Event(string source, string externalId, Severity severity) =>
        SecurityEvent.Ingest(source, "port_scan", severity, "probe", null, null, null, null, externalId, null, null, DateTimeOffset.UtcNow);
}
