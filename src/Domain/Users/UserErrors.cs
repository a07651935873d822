using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.Users;

/// <summary>
/// Sign-in refused (401). One message whatever the cause (unknown user, wrong password, inactive account, bad or
/// reused refresh token), so a caller cannot tell which usernames exist.
/// </summary>
public sealed class AuthenticationFailed(string message = AuthenticationFailed.InvalidCredentials) : DomainException(message)
{
    public const string InvalidCredentials = "No active account found with the given credentials.";
    public const string InvalidRefreshToken = "The refresh token is invalid, expired or revoked.";
}

/// <summary>Self-registration is switched off on this platform (403).</summary>
public sealed class RegistrationClosed()
    : Forbidden("Self-registration is closed on this platform; ask an administrator for an account.");

/// <summary>The account registered while approval is required and no admin has activated it yet (403 at login).</summary>
public sealed class AwaitingApproval()
    : Forbidden("This account is awaiting approval by an administrator.");

/// <summary>The change would leave the platform without an active admin (409).</summary>
public sealed class LastActiveAdmin(string member)
    : Conflict("The last active admin cannot be demoted or deactivated; promote another admin first.", member);
