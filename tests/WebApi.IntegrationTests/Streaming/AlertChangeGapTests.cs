using Npgsql;
using ThreatPlatform.Infrastructure.Persistence.AlertChanges;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Streaming;

/// <summary>
/// The change log's reader and the gaps rollbacks leave in its ids: a gap no writer can still fill is skipped at once
/// (it used to hold every later change back for the two-second grace), one a writer may still commit is waited for.
/// Alerts are written with SQL here so the test controls when each transaction ends; the log's trigger runs as in the API.
/// </summary>
public sealed class AlertChangeGapTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_rolled_back_change_does_not_hold_the_next_one_back()
    {
        await using var dataSource = NpgsqlDataSource.Create(factory.ConnectionString);
        var log = new AlertChangeLog(dataSource);
        var before = await log.LatestIdAsync(CancellationToken.None);

        await using (var rolledBack = await dataSource.OpenConnectionAsync())
        await using (var transaction = await rolledBack.BeginTransactionAsync())
        {
            await InsertAlertAsync(rolledBack, transaction);
            await transaction.RollbackAsync();
        }

        await using (var committed = await dataSource.OpenConnectionAsync())
        {
            await InsertAlertAsync(committed, null);
        }

        var latest = await log.LatestIdAsync(CancellationToken.None);
        latest.Should().BeGreaterThan(before + 1, "the rolled-back change left a gap before the committed one");
        (await log.SettledUpToAsync(before, CancellationToken.None)).Should().Be(latest);
    }

    [Fact]
    public async Task A_change_still_being_written_is_waited_for_and_read_once_committed()
    {
        await using var dataSource = NpgsqlDataSource.Create(factory.ConnectionString);
        var log = new AlertChangeLog(dataSource);
        var before = await log.LatestIdAsync(CancellationToken.None);

        await using var slow = await dataSource.OpenConnectionAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        await InsertAlertAsync(slow, transaction);
        await using (var quick = await dataSource.OpenConnectionAsync())
        {
            await InsertAlertAsync(quick, null);
        }

        (await log.SettledUpToAsync(before, CancellationToken.None)).Should().Be(before, "the open transaction may still commit the id before the visible one");

        await transaction.CommitAsync();
        (await log.SettledUpToAsync(before, CancellationToken.None)).Should().Be(await log.LatestIdAsync(CancellationToken.None));
    }

    private static async Task InsertAlertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO alerts (event_id, status, severity, source, event_type, description, created_at, updated_at,
                                occurrences, first_seen_at, last_seen_at, folds_events)
            VALUES (@event_id, 1, 3, 'gap-test', 'port_scan', 'gap test', now(), now(), 1, now(), now(), false)
            """,
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter<long>("event_id", Random.Shared.NextInt64(1L << 40, 1L << 50)));
        await command.ExecuteNonQueryAsync();
    }
}
