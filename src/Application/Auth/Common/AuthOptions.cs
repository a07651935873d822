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
}
