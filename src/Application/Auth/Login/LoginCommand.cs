using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Auth.Login;

public sealed record LoginCommand(string? Username, string? Password) : ICommand<TokenPair>
{
    public override string ToString() => $"LoginCommand {{ Username = {Username} }}";
}

/// <summary>
/// Checks the password and answers a new token family. Unknown user, wrong password and inactive account give the same
/// 401 in similar time; after <see cref="AuthOptions.MaxFailedLogins"/> failures in a row the username is locked (423).
/// </summary>
public sealed class LoginCommandHandler(
    IApplicationDbContext db,
    IUserLocks locks,
    IPasswordHasher hasher,
    ITokenService tokens,
    AuthOptions options,
    TimeProvider clock) : ICommandHandler<LoginCommand, TokenPair>
{
    public async ValueTask<TokenPair> Handle(LoginCommand command, CancellationToken cancellationToken)
    {
        var username = User.Normalize(command.Username!);
        var password = command.Password!;

        // The row lock makes parallel guesses count one after the other, so no burst slips past the lockout.
        await using var scope = await locks.LockUsernameAsync(username, cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == username, cancellationToken);
        if (user is null)
        {
            hasher.VerifyDummy(password);
            throw new AuthenticationFailed();
        }

        var now = clock.GetUtcNow();
        if (user.IsLockedOut(now))
        {
            throw new AccountLocked(user.LockedUntil!.Value);
        }

        var check = hasher.Verify(user.PasswordHash, password);
        if (check == PasswordCheck.Failed)
        {
            user.RecordFailedLogin(now, options.MaxFailedLogins, options.Lockout);
            await db.SaveChangesAsync(cancellationToken);
            await scope.CommitAsync(cancellationToken);
            throw new AuthenticationFailed();
        }

        if (!user.IsActive)
        {
            // Only after the password checked out: a guesser learns nothing about pending accounts.
            throw user.AwaitingApproval ? new AwaitingApproval() : new AuthenticationFailed();
        }

        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            user.ChangePasswordHash(hasher.Hash(password));
        }

        user.RecordSuccessfulLogin(now);
        var refresh = tokens.IssueRefreshToken(user.Id);
        db.RefreshTokens.Add(refresh.Entity);
        await db.SaveChangesAsync(cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return new TokenPair(tokens.CreateAccessToken(user), refresh.Token);
    }
}

public sealed class LoginCommandValidator : AbstractValidator<LoginCommand>
{
    public LoginCommandValidator()
    {
        RuleFor(c => c.Username)
            .Must(u => !string.IsNullOrWhiteSpace(u)).WithMessage("username is required.")
            .MaximumLength(User.UsernameMaxLength).WithMessage($"username must be at most {User.UsernameMaxLength} characters.");
        RuleFor(c => c.Password)
            .NotEmpty().WithMessage("password is required.")
            .MaximumLength(PasswordPolicy.MaximumLength).WithMessage($"password must be at most {PasswordPolicy.MaximumLength} characters.");
    }
}
