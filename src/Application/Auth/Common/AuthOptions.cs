using System.ComponentModel.DataAnnotations;

namespace ThreatPlatform.Application.Auth.Common;

/// <summary>Brute-force protection, bound from the "Auth" section (environment: Auth__MaxFailedLogins, Auth__LockoutMinutes).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Failed logins in a row after which the username is locked.</summary>
    [Range(1, 100)]
    public int MaxFailedLogins { get; set; } = 5;

    [Range(1, 1440)]
    public int LockoutMinutes { get; set; } = 15;

    public TimeSpan Lockout => TimeSpan.FromMinutes(LockoutMinutes);

    /// <summary>Who may self-register (Auth__Registration): open (as the original platform), approval, closed.</summary>
    public RegistrationPolicy Registration { get; set; } = RegistrationPolicy.Open;
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
