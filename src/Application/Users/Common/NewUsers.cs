using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.Common;

/// <summary>
/// Creates an account from input that passed <see cref="UserRules.NewUserRules{T}"/>: refuses a taken username or email
/// (case-insensitively) by field, hashes the password, saves, and records <paramref name="audit"/>'s entry in the same
/// transaction. Register and create-admin differ only in the role and in how the entry names the actor.
/// </summary>
public sealed class NewUsers(IApplicationDbContext db, IPasswordHasher hasher, TimeProvider clock, IAuditLog audit)
{
    /// <summary>
    /// Creates the account and records <paramref name="action"/> on it (target <c>user:ID</c>), by
    /// <paramref name="actorName"/> when given, else by the caller.
    /// </summary>
    public async Task<User> CreateAsync(
        INewUserInput input, UserRole role, AuditAction action, string detail, CancellationToken cancellationToken, bool needsApproval = false, string? actorName = null)
    {
        var username = User.Normalize(input.Username!);
        var email = User.Normalize(input.Email!);
        await ThrowIfTakenAsync(username, email, cancellationToken);

        var user = User.Create(input.Username!, input.Email!, hasher.Hash(input.Password!), role, clock.GetUtcNow(), needsApproval);
        db.Users.Add(user);
        audit.Record(action, () => AuditTargets.User(user.Id), detail, actorName: actorName);
        if (await db.TrySaveChangesAsync(cancellationToken) == SaveResult.Saved)
        {
            return user;
        }

        // Another request took the name or email between our check and the insert: the unique index caught it.
        await ThrowIfTakenAsync(username, email, cancellationToken);
        throw new InvalidOperationException("A unique index refused a user whose username and email are free.");
    }

    private async Task ThrowIfTakenAsync(string normalizedUsername, string normalizedEmail, CancellationToken cancellationToken)
    {
        var clash = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedUsername == normalizedUsername || u.NormalizedEmail == normalizedEmail)
            .Select(u => u.NormalizedUsername)
            .FirstOrDefaultAsync(cancellationToken);
        if (clash is null)
        {
            return;
        }

        throw clash == normalizedUsername
            ? new Conflict("A user with that username already exists.", nameof(User.Username))
            : new Conflict("A user with that email already exists.", nameof(User.Email));
    }
}
