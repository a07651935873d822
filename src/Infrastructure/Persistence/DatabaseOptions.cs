using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace ThreatPlatform.Infrastructure.Persistence;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the API starts. Turn off where a separate `migrate` step runs them.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// PostgreSQL's statement_timeout for every API query, in seconds (0 = none): a query past it is cancelled by the
    /// server and answered 503 + Retry-After. Migrations run without it.
    /// </summary>
    [Range(0, 86_400)]
    public int StatementTimeoutSeconds { get; set; } = 30;

    /// <summary>Connections one API process keeps at most (Npgsql's Max Pool Size).</summary>
    [Range(1, 10_000)]
    public int PoolSize { get; set; } = 100;

    /// <summary>
    /// How long a request waits for a pooled connection (or a new one to open) before it is answered 503 + Retry-After,
    /// in milliseconds (<see cref="ConnectionBudget"/>; Npgsql's own Timeout, whole seconds, is set to the next second
    /// above it as a ceiling; its default of 15 s would hold requests while the pool is exhausted).
    /// </summary>
    [Range(50, 600_000)]
    public int AcquireTimeoutMilliseconds { get; set; } = 800;

    public ConnectionBudget Budget => new(TimeSpan.FromMilliseconds(AcquireTimeoutMilliseconds));

    /// <summary>
    /// With a read replica (ConnectionStrings:ReadOnly): the most it may lag behind the primary, in seconds, for the
    /// queries to read from it; past that they read from the primary until it has caught up.
    /// </summary>
    [Range(1, 86_400)]
    public int ReplicaMaxLagSeconds { get; set; } = 30;

    /// <summary>
    /// With a read replica: how long (milliseconds) one look at its replay position and lag serves the routing of
    /// queries before the next look (taken in the background, so no request waits for it).
    /// </summary>
    [Range(1, 60_000)]
    public int ReplicaCheckMilliseconds { get; set; } = 25;

    /// <summary>The connection string with these settings applied (they win over the same keywords in it).</summary>
    public string Apply(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = PoolSize,
            Timeout = AcquireTimeoutMilliseconds / 1000 + 1,
        };
        if (builder.MinPoolSize > PoolSize)
        {
            builder.MinPoolSize = PoolSize;
        }

        if (StatementTimeoutSeconds > 0)
        {
            var option = $"-c statement_timeout={StatementTimeoutSeconds * 1000}";
            builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? option : builder.Options + " " + option;
        }

        return builder.ConnectionString;
    }
}
