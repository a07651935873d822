using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Auth.Refresh;

public sealed record RefreshCommand(string? Refresh) : ICommand<TokenPair>
{
    public override string ToString() => "RefreshCommand { Refresh = *** }";
}

/// <summary>
/// Rotates a refresh token: the presented one is retired and a new one of the same family answered with a new access
/// token. A token that was already rotated is being replayed, by a thief or by the client it was stolen from: the whole
/// family is revoked, so the thief's newer token dies with it.
/// </summary>
public sealed class RefreshCommandHandler(IApplicationDbContext db, ITokenService tokens, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<RefreshCommand, TokenPair>
{
    public async ValueTask<TokenPair> Handle(RefreshCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hash = tokens.HashRefreshToken(command.Refresh!);
        var presented = await db.RefreshTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken)
            ?? throw Refused();

        if (presented.RotatedAt is not null)
        {
            await RevokeReusedFamilyAsync(presented, now, cancellationToken);
            throw Refused();
        }

        if (!presented.IsUsable(now))
        {
            throw Refused();
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == presented.UserId, cancellationToken);
        if (user is not { IsActive: true })
        {
            await RefreshTokenFamilies.RevokeAsync(db, presented.FamilyId, now, cancellationToken);
            throw Refused();
        }

        // Retire the token with a conditional update, so of two requests racing with the same token only one wins;
        // the loser is a replay like any other.
        var claimed = await db.RefreshTokens
            .Where(t => t.Id == presented.Id && t.RotatedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RotatedAt, (DateTimeOffset?)now), cancellationToken);
        if (claimed == 0)
        {
            await RevokeReusedFamilyAsync(presented, now, cancellationToken);
            throw Refused();
        }

        var next = tokens.IssueRefreshToken(user.Id, presented);
        db.RefreshTokens.Add(next.Entity);
        await db.SaveChangesAsync(cancellationToken);
        return new TokenPair(tokens.CreateAccessToken(user), next.Token);
    }

    /// <summary>A replayed token: its family dies, and the audit log says whose session was replayed.</summary>
    private async Task RevokeReusedFamilyAsync(RefreshToken presented, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var revoked = await RefreshTokenFamilies.RevokeAsync(db, presented.FamilyId, now, cancellationToken);
        audit.Record(AuditAction.RefreshTokenReused, AuditTargets.User(presented.UserId),
            $"family {presented.FamilyId}: {revoked} token(s) revoked", actorId: presented.UserId);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static AuthenticationFailed Refused() => new(AuthenticationFailed.InvalidRefreshToken);
}

public sealed class RefreshCommandValidator : AbstractValidator<RefreshCommand>
{
    public const int MaximumLength = 512;

    public RefreshCommandValidator() => RuleFor(c => c.Refresh)
        .NotEmpty().WithMessage("refresh is required.")
        .MaximumLength(MaximumLength).WithMessage($"refresh must be at most {MaximumLength} characters.");
}
