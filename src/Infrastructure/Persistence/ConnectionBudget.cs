using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>
/// How long a request waits for a pooled connection (or a new one to open), to the millisecond
/// (Database:AcquireTimeoutMilliseconds). Npgsql's own Timeout counts whole seconds, so with it alone an exhausted pool
/// answered its 503 after a second and more; this budget ends the wait first (Npgsql's stays behind it as a ceiling).
/// </summary>
public sealed class ConnectionBudget(TimeSpan wait)
{
    public TimeSpan Wait => wait;

    /// <summary>Opens a connection of <paramref name="dataSource"/> within the budget.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = dataSource.CreateConnection();
        try
        {
            await OpenAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens <paramref name="connection"/> within the budget, or throws <see cref="ConnectionWaitTimeoutException"/>.</summary>
    public async Task OpenAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(wait);
        try
        {
            await connection.OpenAsync(budget.Token);
        }
        catch (Exception e) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Whatever the open was doing when the budget ran out (waiting in the pool, connecting), it is given up.
            throw new ConnectionWaitTimeoutException(wait, e);
        }
    }
}

/// <summary>No connection came free (or opened) within <see cref="ConnectionBudget"/>: a 503 + Retry-After.</summary>
public sealed class ConnectionWaitTimeoutException(TimeSpan wait, Exception inner)
    : TimeoutException($"No database connection came free within {wait.TotalMilliseconds:0} ms.", inner);

/// <summary>EF Core opens its connections through the budget too (async opens: every request's).</summary>
internal sealed class ConnectionBudgetInterceptor(ConnectionBudget budget) : DbConnectionInterceptor
{
    public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(
        DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (result.IsSuppressed)
        {
            return result;
        }

        await budget.OpenAsync(connection, cancellationToken);
        return InterceptionResult.Suppress();
    }
}
