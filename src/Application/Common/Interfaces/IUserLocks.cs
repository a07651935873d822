namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Row locks (SELECT … FOR UPDATE) for the two rules that read, decide and write across concurrent requests:
/// counting failed logins, and keeping at least one active admin.
/// </summary>
public interface IUserLocks
{
    /// <summary>Locks the user with this normalized username (if there is one), so parallel logins count failures one at a time.</summary>
    Task<ILockScope> LockUsernameAsync(string normalizedUsername, CancellationToken cancellationToken);

    /// <summary>Locks every active admin, so two admins cannot demote each other at the same moment.</summary>
    Task<ILockScope> LockActiveAdminsAsync(CancellationToken cancellationToken);
}
