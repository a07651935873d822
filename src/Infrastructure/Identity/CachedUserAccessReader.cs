using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Users.GetUserAccess;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Caching;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>
/// Every authenticated request asks whether its token's user is still active, what their role is now and since when
/// their tokens count. Answered from <see cref="Caches.Users"/> when this process holds its LISTEN connection (a change
/// through this process evicts at commit, <see cref="UserAccessEviction"/>; one made anywhere else arrives by NOTIFY from
/// the users table's trigger), else one primary-key lookup. Raw SQL on the data source: it runs in authentication, before the request's DbContext.
/// </summary>
internal sealed class CachedUserAccessReader(NpgsqlDataSource dataSource, Caches caches) : IUserAccessReader
{
    private const string FindSql = "SELECT role, is_active, tokens_valid_after FROM users WHERE id = $1";

    public async ValueTask<UserAccess?> FindAsync(long userId, CancellationToken cancellationToken)
    {
        if (caches.Users.TryGet(userId, out var cached))
        {
            return cached;
        }

        var generation = caches.Users.Generation;
        await using var command = dataSource.CreateCommand(FindSql);
        command.Parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var access = new UserAccess(
            (UserRole)reader.GetInt16(0),
            reader.GetBoolean(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
        caches.Users.Store(userId, access, generation);
        return access;
    }
}
