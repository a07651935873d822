using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>
/// SELECT … FOR UPDATE inside a transaction of the request's own DbContext, so the handler's reads and SaveChanges run
/// under the lock. EF Core has no LINQ for row locks, hence the SQL.
/// </summary>
internal sealed class UserLocks(ApplicationDbContext db) : IUserLocks
{
    public async Task<ILockScope> LockUsernameAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM users WHERE normalized_username = {normalizedUsername} FOR UPDATE", cancellationToken);
        return new Scope(transaction);
    }

    public async Task<ILockScope> LockActiveAdminsAsync(CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Always in id order, so two transactions taking the same locks cannot deadlock.
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM users WHERE role = {(short)UserRole.Admin} AND is_active ORDER BY id FOR UPDATE", cancellationToken);
        return new Scope(transaction);
    }

    private sealed class Scope(IDbContextTransaction transaction) : ILockScope
    {
        public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => transaction.DisposeAsync();
    }
}
