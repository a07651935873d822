using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Application.Users.Common;

/// <summary>Bulk revocation: a family (reuse, logout) or all of a user's tokens (deactivation) in one UPDATE.</summary>
public static class RefreshTokenFamilies
{
    // A family grows by one row per refresh over up to RefreshTokenDays, so one set-based UPDATE rather than loading
    // every row. Tokens are only ever revoked here: a revoked token keeps its first revocation time.
    public static Task<int> RevokeAsync(IApplicationDbContext db, Guid familyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        db.RefreshTokens
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, (DateTimeOffset?)at), cancellationToken);

    public static Task<int> RevokeAllOfUserAsync(IApplicationDbContext db, long userId, DateTimeOffset at, CancellationToken cancellationToken) =>
        db.RefreshTokens
            .Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, (DateTimeOffset?)at), cancellationToken);
}
