using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.UpdateUser;

/// <summary>An admin changes a user's role and/or active flag (PATCH /api/users/{id}/); absent fields stay as they are.</summary>
public sealed record UpdateUserCommand(long Id, UserRole? Role, bool? IsActive) : ICommand<UserDto>;

/// <summary>
/// Runs under a lock on every active admin, so the "one active admin remains" count cannot go stale between reading
/// it and saving. Deactivation also revokes the user's refresh tokens; their access tokens stop at the next request.
/// </summary>
public sealed class UpdateUserCommandHandler(IApplicationDbContext db, IUserLocks locks, TimeProvider clock)
    : ICommandHandler<UpdateUserCommand, UserDto>
{
    public async ValueTask<UserDto> Handle(UpdateUserCommand command, CancellationToken cancellationToken)
    {
        await using var scope = await locks.LockActiveAdminsAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == command.Id, cancellationToken)
            ?? throw new NotFound("User", command.Id);
        var otherActiveAdmins = await db.Users.CountAsync(
            u => u.Id != user.Id && u.Role == UserRole.Admin && u.IsActive, cancellationToken);

        var wasActive = user.IsActive;
        user.ChangeAccess(command.Role, command.IsActive, otherActiveAdmins);
        if (wasActive && !user.IsActive)
        {
            await RefreshTokenFamilies.RevokeAllOfUserAsync(db, user.Id, clock.GetUtcNow(), cancellationToken);
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
