using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>
/// Key lookups through <see cref="ApiKeyCache"/>: a request with a cached key, or with a prefix recently found unknown,
/// costs no database round trip.
/// </summary>
internal sealed class ApiKeyCredentialStore(IApiKeyRows rows, NpgsqlDataSource dataSource, ApiKeyCache cache) : IApiKeyCredentials
{
    // Conditional, so replicas that each decide a minute has passed still write about once a minute between them.
    private const string MarkUsedSql = """
        UPDATE api_keys SET last_used_at = @at
        WHERE id = @id AND (last_used_at IS NULL OR last_used_at <= @at - @resolution)
        """;

    private readonly ConcurrentDictionary<long, DateTimeOffset> _lastMarked = new();

    public async ValueTask<ApiKeyCredential?> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        if (cache.TryGet(prefix, out var cached))
        {
            return cached;
        }

        if (cache.IsUnknown(prefix))
        {
            return null;
        }

        var generation = cache.Generation;
        if (await rows.FindAsync(prefix, cancellationToken) is not { } credential)
        {
            cache.StoreUnknown(prefix, generation);
            return null;
        }

        cache.Store(prefix, credential, generation);
        return credential;
    }

    public async ValueTask MarkUsedAsync(long keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_lastMarked.TryGetValue(keyId, out var last) && at - last < ApiKey.LastUsedResolution)
        {
            return;
        }

        _lastMarked[keyId] = at;
        await using var command = dataSource.CreateCommand(MarkUsedSql);
        command.Parameters.Add(new NpgsqlParameter<long>("id", NpgsqlDbType.Bigint) { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = at.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("resolution", NpgsqlDbType.Interval) { TypedValue = ApiKey.LastUsedResolution });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>The stored row of a key, by prefix: the database round trip <see cref="ApiKeyCredentialStore"/> saves.</summary>
internal interface IApiKeyRows
{
    ValueTask<ApiKeyCredential?> FindAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>
/// Raw SQL on the data source, not EF Core: this runs in authentication, before (and outside) the request's DbContext.
/// </summary>
internal sealed class PostgresApiKeyRows(NpgsqlDataSource dataSource) : IApiKeyRows
{
    private const string FindSql = """
        SELECT k.id, k.sensor_id, k.secret_hash, k.expires_at, k.revoked_at, s.is_active, s.grouping
        FROM api_keys k JOIN sensors s ON s.id = k.sensor_id
        WHERE k.prefix = @prefix
        """;

    public async ValueTask<ApiKeyCredential?> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(FindSql);
        command.Parameters.Add(new NpgsqlParameter<string>("prefix", NpgsqlDbType.Varchar) { TypedValue = prefix });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new ApiKeyCredential(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.GetFieldValue<byte[]>(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetBoolean(5),
            reader.GetBoolean(6));
    }
}
