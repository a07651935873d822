using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.Users;

/// <summary>A platform user: an ANALYST (reads alerts, ingests events) or an ADMIN (everything).</summary>
public sealed class User : Entity
{
    public const int UsernameMaxLength = 150;
    public const int EmailMaxLength = 254;

    private User()
    {
        Username = null!;
        NormalizedUsername = null!;
        Email = null!;
        NormalizedEmail = null!;
        PasswordHash = null!;
    }

    public long Id { get; private set; }
    public string Username { get; private set; }

    /// <summary>Lower-cased username; the unique index lives on it, so usernames are unique case-insensitively.</summary>
    public string NormalizedUsername { get; private set; }
    public string Email { get; private set; }
    public string NormalizedEmail { get; private set; }
    public string PasswordHash { get; private set; }
    public UserRole Role { get; private set; }
    public bool IsActive { get; private set; }
    public DateTimeOffset DateJoined { get; private set; }
    public DateTimeOffset? LastLogin { get; private set; }

    /// <summary>Registered while approval is required and not yet activated by an admin: inactive, and login says so.</summary>
    public bool AwaitingApproval { get; private set; }

    /// <summary>
    /// Access tokens issued before this time are refused (sign-out everywhere, deactivation); null when none ever was.
    /// See <see cref="AdmitsTokenIssuedAt"/> for how whole-second <c>iat</c> values compare with it.
    /// </summary>
    public DateTimeOffset? TokensValidAfter { get; private set; }

    public static string Normalize(string value) => value.Trim().ToLowerInvariant();

    /// <summary>
    /// Self-registration and the create-admin command both come here; only the caller chooses the role. An account that
    /// needs approval starts inactive until an admin activates it.
    /// </summary>
    public static User Create(string username, string email, string passwordHash, UserRole role, DateTimeOffset at, bool needsApproval = false) => new()
    {
        Username = username.Trim(),
        NormalizedUsername = Normalize(username),
        Email = email.Trim(),
        NormalizedEmail = Normalize(email),
        PasswordHash = passwordHash,
        Role = role,
        IsActive = !needsApproval,
        AwaitingApproval = needsApproval,
        DateJoined = at,
    };

    public void RecordSuccessfulLogin(DateTimeOffset at) => LastLogin = at;

    /// <summary>Every access token issued until <paramref name="at"/> stops working (checked at each request).</summary>
    public void EndSessionsBefore(DateTimeOffset at)
    {
        if (TokensValidAfter is null || at > TokensValidAfter)
        {
            TokensValidAfter = at;
        }
    }

    /// <summary>
    /// The first issue time a token may carry once <paramref name="tokensValidAfter"/> is set: the next whole second, as
    /// a token's <c>iat</c> counts whole seconds. A token issued in the second of the revocation but before it has the
    /// same <c>iat</c> as one issued after it, so tokens issued after it carry this time instead (see the token service).
    /// </summary>
    public static DateTimeOffset FirstValidIssue(DateTimeOffset tokensValidAfter)
    {
        var ticks = tokensValidAfter.UtcTicks;
        var remainder = ticks % TimeSpan.TicksPerSecond;
        return new DateTimeOffset(remainder == 0 ? ticks : ticks - remainder + TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    /// <summary>Whether an access token issued at <paramref name="issuedAt"/> (its <c>iat</c>) is still honoured.</summary>
    public static bool AdmitsTokenIssuedAt(DateTimeOffset? tokensValidAfter, DateTimeOffset issuedAt) =>
        tokensValidAfter is not { } after || issuedAt >= FirstValidIssue(after);

    public void ChangePasswordHash(string passwordHash) => PasswordHash = passwordHash;

    /// <summary>True when this user holds admin power now: an active ADMIN.</summary>
    public bool IsActiveAdmin => IsActive && Role == UserRole.Admin;

    /// <summary>
    /// An admin's change of role and/or active flag. Refused when it would take admin power from the last active admin;
    /// <paramref name="otherActiveAdmins"/> is how many active admins there are besides this user.
    /// </summary>
    public void ChangeAccess(UserRole? role, bool? isActive, int otherActiveAdmins)
    {
        var nextRole = role ?? Role;
        var nextActive = isActive ?? IsActive;
        if (IsActiveAdmin && otherActiveAdmins == 0 && !(nextActive && nextRole == UserRole.Admin))
        {
            throw new LastActiveAdmin(nextActive ? nameof(Role) : nameof(IsActive));
        }

        Role = nextRole;
        IsActive = nextActive;
        AwaitingApproval &= !nextActive;
    }
}
