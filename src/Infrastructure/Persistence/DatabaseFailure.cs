using Npgsql;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>Why the database could not answer now: a condition to retry (503 + Retry-After), not a bug (500).</summary>
public enum DatabaseFailureKind
{
    /// <summary>The server cancelled the query at statement_timeout.</summary>
    StatementTimeout,

    /// <summary>No pooled connection came free (or none opened) within the acquire timeout.</summary>
    PoolExhausted,

    /// <summary>The server is down, restarting, refusing connections or dropped ours.</summary>
    Unavailable,
}

public sealed record DatabaseFailure(DatabaseFailureKind Kind, int RetryAfterSeconds, string Detail)
{
    /// <summary>
    /// The transient database failure behind <paramref name="exception"/> (EF Core and Npgsql wrap it: a save's
    /// DbUpdateException, the execution strategy's InvalidOperationException), or null when it is something else. A
    /// cancellation is the client's and not looked into.
    /// </summary>
    public static DatabaseFailure? Of(Exception exception)
    {
        for (var e = exception; e is not null and not OperationCanceledException; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: PostgresErrorCodes.QueryCanceled }:
                    return new(DatabaseFailureKind.StatementTimeout, 5, "The query took longer than this server allows (Database:StatementTimeoutSeconds); narrow the request or retry later.");
                case PostgresException p when IsUnavailable(p.SqlState):
                    return Unavailable();
                case PostgresException:
                    return null;
                case ConnectionWaitTimeoutException:
                    return PoolExhausted();
                case NpgsqlException { InnerException: TimeoutException } n when n.Message.Contains("pool", StringComparison.OrdinalIgnoreCase):
                    return PoolExhausted();
                case NpgsqlException n when n.IsTransient:
                    return Unavailable();
            }
        }

        return null;
    }

    private static DatabaseFailure PoolExhausted() =>
        new(DatabaseFailureKind.PoolExhausted, 1, "Every database connection of this server is in use; retry in a second.");

    private static DatabaseFailure Unavailable() =>
        new(DatabaseFailureKind.Unavailable, 2, "The database is unavailable right now; retry shortly.");

    // Connection exceptions (08), insufficient resources (53: too many connections, out of memory or disk) and operator
    // intervention (57P: shutdown, crash, not yet accepting connections, backend terminated).
    private static bool IsUnavailable(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) ||
        state.StartsWith("53", StringComparison.Ordinal) ||
        state.StartsWith("57P", StringComparison.Ordinal);
}
