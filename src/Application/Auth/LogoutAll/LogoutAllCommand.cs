using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Auth.LogoutAll;

/// <summary>
/// Signs the caller out everywhere (POST /api/auth/logout-all/): every refresh token of every session is revoked, and
/// every access token issued until now is refused from the next request on (the user's tokens-valid-after time).
/// </summary>
public sealed record LogoutAllCommand : ICommand;

public sealed class LogoutAllCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<LogoutAllCommand>
{
    public async ValueTask<Unit> Handle(LogoutAllCommand command, CancellationToken cancellationToken)
    {
        var userId = currentUser.RequiredId("Logout-all");
        var now = clock.GetUtcNow();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken) ?? throw new NotFound("User", userId);
        user.EndSessionsBefore(now);
        var revoked = await RefreshTokenFamilies.RevokeAllOfUserAsync(db, userId, now, cancellationToken);
        audit.Record(AuditAction.LogoutAll, AuditTargets.User(userId), $"{revoked} refresh token(s) revoked");
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
