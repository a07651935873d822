using Npgsql;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>Finds the PostgreSQL connection string: ConnectionStrings:Default, else DATABASE_URL (postgres://user:pass@host:port/db).</summary>
public static class ConnectionStrings
{
    public const string Setting = "ConnectionStrings__Default";
    public const string ReadOnlySetting = "ConnectionStrings__ReadOnly";

    /// <summary>The read replica's connection string (ConnectionStrings:ReadOnly), or null when none is configured.</summary>
    public static string? ResolveReadOnly(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString) ? null : Validate(connectionString, ReadOnlySetting);

    public static string Resolve(string? connectionString, string? databaseUrl)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return Validate(connectionString, Setting);
        }

        if (!string.IsNullOrWhiteSpace(databaseUrl))
        {
            return FromUrl(databaseUrl);
        }

        throw new InvalidOperationException(
            $"No database is configured. Set {Setting} (e.g. 'Host=localhost;Port=5432;Database=threatplatform;Username=threatplatform;Password=…') " +
            "or DATABASE_URL (postgres://user:pass@host:5432/db). `make run` starts a private cluster and sets it for you.");
    }

    public static string FromUrl(string databaseUrl)
    {
        if (!Uri.TryCreate(databaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "postgres" && uri.Scheme != "postgresql"))
        {
            throw new InvalidOperationException("DATABASE_URL must look like postgres://user:pass@host:port/db.");
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            Username = userInfo.Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        if (string.IsNullOrEmpty(builder.Database))
        {
            throw new InvalidOperationException("DATABASE_URL names no database: postgres://user:pass@host:port/db.");
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// The pool settings the API runs with unless the connection string names its own: connections are not reset with
    /// DISCARD ALL each time they go back to the pool (No Reset On Close; nothing here leaves session state behind),
    /// and statements run twice on a connection are prepared there and kept (Max Auto Prepare), so a hot query is
    /// parsed and planned once per connection instead of once per request. Behind PgBouncer in transaction mode, set
    /// Max Auto Prepare=0 in the connection string.
    /// </summary>
    public static string WithPoolDefaults(string connectionString)
    {
        var named = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(named, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!Names(named, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!Names(named, "Auto Prepare Min Usages", "AutoPrepareMinUsages"))
        {
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

    private static bool Names(System.Data.Common.DbConnectionStringBuilder named, params string[] keys) =>
        keys.Any(named.ContainsKey);

    private static string Validate(string connectionString, string setting)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host))
            {
                throw new InvalidOperationException($"{setting} has no Host.");
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"{setting} is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }
    }
}
