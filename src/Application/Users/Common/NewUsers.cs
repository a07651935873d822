using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.Common;

/// <summary>
/// Creates an account from input that passed <see cref="UserRules.NewUserRules{T}"/>: refuses a taken username or email
/// (case-insensitively) by field, hashes the password, saves. Register and create-admin differ only in the role.
/// </summary>
public sealed class NewUsers(IApplicationDbContext db, IPasswordHasher hasher, TimeProvider clock)
{
    public async Task<User> CreateAsync(INewUserInput input, UserRole role, CancellationToken cancellationToken, bool needsApproval = false)
    {
        var username = User.Normalize(input.Username!);
        var email = User.Normalize(input.Email!);
        await ThrowIfTakenAsync(username, email, cancellationToken);

        var user = User.Create(input.Username!, input.Email!, hasher.Hash(input.Password!), role, clock.GetUtcNow(), needsApproval);
        db.Users.Add(user);
        if (await db.TrySaveChangesAsync(cancellationToken))
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
