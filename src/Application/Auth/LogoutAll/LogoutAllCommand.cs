using Mediator;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Application.Auth.LogoutAll;

/// <summary>Signs the caller out everywhere (POST /api/auth/logout-all/): every refresh token of every session is revoked.</summary>
public sealed record LogoutAllCommand : ICommand;

public sealed class LogoutAllCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<LogoutAllCommand>
{
    public async ValueTask<Unit> Handle(LogoutAllCommand command, CancellationToken cancellationToken)
    {
        var userId = currentUser.RequiredId("Logout-all");
        var revoked = await RefreshTokenFamilies.RevokeAllOfUserAsync(db, userId, clock.GetUtcNow(), cancellationToken);
        audit.Record(AuditAction.LogoutAll, AuditTargets.User(userId), $"{revoked} refresh token(s) revoked");
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
