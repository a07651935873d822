using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Auth.Refresh;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;

namespace ThreatPlatform.Application.Auth.Logout;

public sealed record LogoutCommand(string? Refresh) : ICommand
{
    public override string ToString() => "LogoutCommand { Refresh = *** }";
}

/// <summary>
/// Revokes the presented refresh token's whole family (the token and every rotation of it). Only the caller's own
/// tokens: anyone else's is answered as unknown. Logging out twice is harmless.
/// </summary>
public sealed class LogoutCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, ITokenService tokens, TimeProvider clock)
    : ICommandHandler<LogoutCommand>
{
    public async ValueTask<Unit> Handle(LogoutCommand command, CancellationToken cancellationToken)
    {
        var hash = tokens.HashRefreshToken(command.Refresh!);
        var userId = currentUser.Id;
        var familyId = await db.RefreshTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.UserId == userId)
            .Select(t => (Guid?)t.FamilyId)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new RequestValidationException("refresh", "This refresh token is not one of yours.");

        await RefreshTokenFamilies.RevokeAsync(db, familyId, clock.GetUtcNow(), cancellationToken);
        return Unit.Value;
    }
}

public sealed class LogoutCommandValidator : AbstractValidator<LogoutCommand>
{
    public LogoutCommandValidator() => RuleFor(c => c.Refresh)
        .NotEmpty().WithMessage("refresh is required.")
        .MaximumLength(RefreshCommandValidator.MaximumLength).WithMessage($"refresh must be at most {RefreshCommandValidator.MaximumLength} characters.");
}
