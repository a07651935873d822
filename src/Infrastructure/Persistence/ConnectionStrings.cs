using Npgsql;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>Finds the PostgreSQL connection string: ConnectionStrings:Default, else DATABASE_URL (postgres://user:pass@host:port/db).</summary>
public static class ConnectionStrings
{
    public const string Setting = "ConnectionStrings__Default";

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
