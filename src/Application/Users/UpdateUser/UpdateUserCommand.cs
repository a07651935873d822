using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.UpdateUser;

/// <summary>An admin changes a user's role and/or active flag (PATCH /api/users/{id}/); absent fields stay as they are.</summary>
public sealed record UpdateUserCommand(long Id, UserRole? Role, bool? IsActive) : ICommand<UserDto>;

/// <summary>
/// Runs under a lock on every active admin, so the "one active admin remains" count cannot go stale between reading
/// it and saving. Deactivation also revokes the user's refresh tokens, and their access tokens stop at the next request
/// for good (reactivation does not revive them).
/// </summary>
public sealed class UpdateUserCommandHandler(IApplicationDbContext db, IUserLocks locks, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<UpdateUserCommand, UserDto>
{
    public async ValueTask<UserDto> Handle(UpdateUserCommand command, CancellationToken cancellationToken)
    {
        await using var scope = await locks.LockActiveAdminsAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == command.Id, cancellationToken)
            ?? throw new NotFound("User", command.Id);
        var otherActiveAdmins = await db.Users.CountAsync(
            u => u.Id != user.Id && u.Role == UserRole.Admin && u.IsActive, cancellationToken);

        var (wasRole, wasActive, wasAwaiting) = (user.Role, user.IsActive, user.AwaitingApproval);
        user.ChangeAccess(command.Role, command.IsActive, otherActiveAdmins);
        if (wasActive && !user.IsActive)
        {
            // Reactivating later must not bring the old tokens back.
            user.EndSessionsBefore(clock.GetUtcNow());
            await RefreshTokenFamilies.RevokeAllOfUserAsync(db, user.Id, clock.GetUtcNow(), cancellationToken);
        }

        var target = AuditTargets.User(user.Id);
        if (user.Role != wasRole)
        {
            audit.Record(AuditAction.UserRoleChanged, target, $"{wasRole.ToWire()} -> {user.Role.ToWire()}");
        }

        if (wasAwaiting && user.IsActive)
        {
            audit.Record(AuditAction.UserApproved, target, "registration approved");
        }
        else if (user.IsActive != wasActive)
        {
            audit.Record(AuditAction.UserActivationChanged, target, user.IsActive ? "activated" : "deactivated");
        }

        await db.SaveChangesAsync(cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return user.ToDto();
    }
}

public sealed class UpdateUserCommandValidator : AbstractValidator<UpdateUserCommand>
{
    public UpdateUserCommandValidator() => RuleFor(c => c.Role)
        .IsInEnum().WithMessage("role is not a role.");
}
