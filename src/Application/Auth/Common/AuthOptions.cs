using System.ComponentModel.DataAnnotations;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Auth.Common;

/// <summary>Sign-in protection and password hashing, bound from the "Auth" section (environment: Auth__…).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>OWASP's figure for PBKDF2-HMAC-SHA512 (Password Storage Cheat Sheet).</summary>
    public const int OwaspPbkdf2Sha512Iterations = 210_000;

    /// <summary>Failures of one username from one address that cost no wait; each one after waits longer.</summary>
    [Range(0, 100)]
    public int FreeFailedLogins { get; set; } = 3;

    /// <summary>The first wait, doubled with every further failure.</summary>
    [Range(1, 3600)]
    public int ThrottleBaseSeconds { get; set; } = 1;

    /// <summary>The longest wait between two tries.</summary>
    [Range(1, 86_400)]
    public int ThrottleMaxSeconds { get; set; } = 900;

    /// <summary>Distinct addresses failing on one username within the window that make every client wait (never fewer than 2).</summary>
    [Range(2, 100_000)]
    public int UsernameCeilingClients { get; set; } = 5;

    /// <summary>How long the device cookie a successful sign-in sets lets its holder past the username-wide wait.</summary>
    [Range(1, 3650)]
    public int DeviceCookieDays { get; set; } = 90;

    /// <summary>Failures older than this are forgotten.</summary>
    [Range(1, 10_080)]
    public int FailureWindowMinutes { get; set; } = 60;

    /// <summary>PBKDF2-HMAC-SHA512 iterations for new hashes; older hashes are upgraded at the next successful login.</summary>
    [Range(1_000, 100_000_000)]
    public int PasswordIterations { get; set; } = OwaspPbkdf2Sha512Iterations;

    /// <summary>Who may self-register (Auth__Registration): open (as the original platform), approval, closed.</summary>
    public RegistrationPolicy Registration { get; set; } = RegistrationPolicy.Open;

    public LoginThrottlePolicy ThrottlePolicy => new(
        FreeFailedLogins,
        TimeSpan.FromSeconds(ThrottleBaseSeconds),
        TimeSpan.FromSeconds(ThrottleMaxSeconds),
        UsernameCeilingClients,
        TimeSpan.FromMinutes(FailureWindowMinutes));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ThrottleMaxSeconds < ThrottleBaseSeconds)
        {
            yield return new ValidationResult(
                "Auth__ThrottleMaxSeconds must be at least Auth__ThrottleBaseSeconds.", [nameof(ThrottleMaxSeconds)]);
        }
    }
}

public enum RegistrationPolicy
{
    /// <summary>Anyone registers and is at once an active analyst.</summary>
    Open,

    /// <summary>New accounts are inactive until an admin activates them; login answers 403 "awaiting approval".</summary>
    Approval,

    /// <summary>Register answers 403; admins create accounts (create-admin) and activate them.</summary>
    Closed,
}
