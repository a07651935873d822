using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Auth.Login;

/// <param name="DeviceToken">The device cookie the client sent, if any (see <see cref="IDeviceTokens"/>).</param>
public sealed record LoginCommand(string? Username, string? Password, string? DeviceToken = null) : ICommand<SignedIn>
{
    public override string ToString() => $"LoginCommand {{ Username = {Username} }}";
}

/// <summary>A successful sign-in: the tokens to answer, and a fresh device token for the client to keep.</summary>
public sealed record SignedIn(TokenPair Tokens, string DeviceToken, DateTimeOffset DeviceTokenExpiresAt)
{
    public override string ToString() => "SignedIn { Tokens = ***, DeviceToken = *** }";
}

/// <summary>
/// Checks the password and answers a new token family. Unknown user, wrong password and inactive account give the same
/// 401 after the same password-hashing work. Failures are throttled per (username, client), the client counted as the
/// rate limits count it (an IPv6 address by its /64), with a username-wide wait once many clients fail on it
/// (<see cref="LoginThrottlePolicy"/>): a throttled try is a 429 with Retry-After whether or not the username exists,
/// and nothing ever locks an account. A client carrying a device token of this user (set at an earlier successful
/// sign-in) is spared the username-wide wait, so a distributed guess cannot keep the user out; its own failures still
/// make it wait.
/// </summary>
public sealed class LoginCommandHandler(
    IApplicationDbContext db,
    IUserLocks locks,
    IPasswordHasher hasher,
    ITokenService tokens,
    IAuditLog audit,
    IAuditContext caller,
    IDeviceTokens devices,
    AuthOptions options,
    TimeProvider clock) : ICommandHandler<LoginCommand, SignedIn>
{
    public const string UnknownClient = ClientAddressGroup.Unknown;

    public async ValueTask<SignedIn> Handle(LoginCommand command, CancellationToken cancellationToken)
    {
        var username = User.Normalize(command.Username!);
        var password = command.Password!;
        var client = ClientAddressGroup.Of(caller.ClientAddress);
        var policy = options.ThrottlePolicy;
        var now = clock.GetUtcNow();

        // Serializes the tries on one username (known or not), so parallel guesses are counted one after the other.
        await using var scope = await locks.LockUsernameAsync(username, cancellationToken);
        var failures = await db.LoginFailures.Where(f => f.NormalizedUsername == username).ToListAsync(cancellationToken);
        var provenUser = devices.UserIdOf(command.DeviceToken);
        var proven = provenUser is { } provenId
            && await db.Users.AnyAsync(u => u.Id == provenId && u.NormalizedUsername == username, cancellationToken);
        var wait = policy.WaitFor(client, failures, now, usernameWide: !proven);
        if (wait > TimeSpan.Zero)
        {
            audit.Record(AuditAction.LoginThrottled, (string?)null, $"retry after {Math.Ceiling(wait.TotalSeconds)} s", actorName: command.Username);
            await db.SaveChangesAsync(cancellationToken);
            await scope.CommitAsync(cancellationToken);
            throw Throttled(wait);
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == username, cancellationToken);
        PasswordCheck check;
        if (user is null)
        {
            hasher.VerifyDummy(password);
            check = PasswordCheck.Failed;
        }
        else
        {
            check = hasher.Verify(user.PasswordHash, password);
        }

        var own = failures.FirstOrDefault(f => f.Client == client);
        if (check == PasswordCheck.Failed)
        {
            if (own is null)
            {
                own = LoginFailure.Start(username, client);
                db.LoginFailures.Add(own);
            }

            own.Record(now, policy);
            audit.Record(AuditAction.LoginFailed, user is null ? null : AuditTargets.User(user.Id),
                user is null ? "unknown username" : "wrong password", actorId: user?.Id, actorName: command.Username);
            await ForgetOldFailuresAsync(username, failures, own, policy, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await scope.CommitAsync(cancellationToken);
            throw new AuthenticationFailed();
        }

        if (!user!.IsActive)
        {
            // Only after the password checked out: a guesser learns nothing about pending accounts.
            audit.Record(AuditAction.LoginFailed, AuditTargets.User(user.Id),
                user.AwaitingApproval ? "awaiting approval" : "inactive account", actorId: user.Id, actorName: user.Username);
            await db.SaveChangesAsync(cancellationToken);
            await scope.CommitAsync(cancellationToken);
            throw user.AwaitingApproval ? new AwaitingApproval() : new AuthenticationFailed();
        }

        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            user.ChangePasswordHash(hasher.Hash(password));
        }

        if (own is not null)
        {
            db.LoginFailures.Remove(own);
        }

        user.RecordSuccessfulLogin(now);
        var refresh = tokens.IssueRefreshToken(user.Id);
        db.RefreshTokens.Add(refresh.Entity);
        audit.Record(AuditAction.LoginSucceeded, AuditTargets.User(user.Id),
            check == PasswordCheck.SuccessRehashNeeded ? "password hash upgraded" : null, actorId: user.Id, actorName: user.Username);
        await db.SaveChangesAsync(cancellationToken);
        await scope.CommitAsync(cancellationToken);
        var device = devices.Issue(user.Id);
        return new SignedIn(new TokenPair(tokens.CreateAccessToken(user), refresh.Token), device.Token, device.ExpiresAt);
    }

    /// <summary>The same text for every username, existing or not.</summary>
    private static RateLimitExceededException Throttled(TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        return new RateLimitExceededException(
            TimeSpan.FromSeconds(seconds),
            $"Too many failed sign-ins for this username from this address; retry in {seconds} seconds.");
    }

    /// <summary>Failures past the window are forgotten: this username's now, other usernames' a batch at a time.</summary>
    private async Task ForgetOldFailuresAsync(
        string username, List<LoginFailure> failures, LoginFailure own, LoginThrottlePolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var stale in failures.Where(f => !ReferenceEquals(f, own) && !policy.IsRecent(f, now)))
        {
            db.LoginFailures.Remove(stale);
        }

        await locks.PurgeLoginFailuresAsync(now - policy.Window, username, cancellationToken);
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
