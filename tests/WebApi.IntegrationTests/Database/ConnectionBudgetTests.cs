using Npgsql;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Database;

/// <summary>
/// The acquire budget in milliseconds on a pool of one whose Npgsql Timeout is 30 s: the budget, not Npgsql's whole
/// seconds, ends the wait (the 10 s guard only stops a broken budget from hanging the run).
/// </summary>
public sealed class ConnectionBudgetTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_wait_for_a_full_pool_ends_at_the_budget_as_a_pool_exhausted_failure()
    {
        await using var dataSource = PoolOfOne();
        await using var held = await dataSource.OpenConnectionAsync();
        var budget = new ConnectionBudget(TimeSpan.FromMilliseconds(200));

        var wait = async () => await budget.OpenAsync(dataSource, CancellationToken.None).AsTask().WaitAsync(Guard);

        var thrown = await wait.Should().ThrowAsync<ConnectionWaitTimeoutException>();
        thrown.Which.Message.Should().Contain("200 ms");
        DatabaseFailure.Of(new InvalidOperationException("wrapped", thrown.Which))!.Kind.Should().Be(DatabaseFailureKind.PoolExhausted);
    }

    [Fact]
    public async Task The_callers_own_cancellation_stays_a_cancellation()
    {
        await using var dataSource = PoolOfOne();
        await using var held = await dataSource.OpenConnectionAsync();
        var budget = new ConnectionBudget(TimeSpan.FromSeconds(30));
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var wait = async () => await budget.OpenAsync(dataSource, caller.Token).AsTask().WaitAsync(Guard);

        var thrown = (await wait.Should().ThrowAsync<Exception>()).Which;
        thrown.Should().NotBeOfType<ConnectionWaitTimeoutException>();
        (thrown is OperationCanceledException || thrown.InnerException is OperationCanceledException)
            .Should().BeTrue($"the caller cancelled ({thrown.GetType().Name}: {thrown.Message})");
    }

    [Fact]
    public async Task A_free_connection_opens_within_the_budget()
    {
        await using var dataSource = PoolOfOne();
        var budget = new ConnectionBudget(TimeSpan.FromSeconds(5));

        await using var connection = await budget.OpenAsync(dataSource, CancellationToken.None);

        connection.State.Should().Be(System.Data.ConnectionState.Open);
    }

    private static NpgsqlDataSource PoolOfOne() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString)
        {
            MaxPoolSize = 1,
            Timeout = 30,
        }.ConnectionString);
}
