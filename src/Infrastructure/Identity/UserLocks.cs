using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>
/// Locks inside a transaction of the request's own DbContext, so the handler's reads and SaveChanges run under them.
/// EF Core has no LINQ for row or advisory locks, hence the SQL.
/// </summary>
internal sealed class UserLocks(ApplicationDbContext db) : IUserLocks
{
    public async Task<ILockScope> LockUsernameAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        // An advisory lock, not a row lock: it holds for usernames nobody has as well (throttling treats both alike).
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"SELECT pg_advisory_xact_lock({AdvisoryLocks.LoginUsername}, hashtext({normalizedUsername}))", cancellationToken);
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

    public Task PurgeLoginFailuresAsync(DateTimeOffset cutoff, string exceptUsername, CancellationToken cancellationToken) =>
        // SKIP LOCKED: two logins purging at once never wait on (or deadlock over) each other's rows.
        db.Database.ExecuteSqlAsync(
            $"""
            DELETE FROM login_failures WHERE ctid IN (
                SELECT ctid FROM login_failures
                WHERE last_failed_at <= {cutoff} AND normalized_username <> {exceptUsername}
                LIMIT 500 FOR UPDATE SKIP LOCKED)
            """,
            cancellationToken);

    private sealed class Scope(IDbContextTransaction transaction) : ILockScope
    {
        public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => transaction.DisposeAsync();
    }
}
