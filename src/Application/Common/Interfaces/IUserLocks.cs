namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Row locks (SELECT … FOR UPDATE) for the two rules that read, decide and write across concurrent requests:
/// throttling failed logins, and keeping at least one active admin.
/// </summary>
public interface IUserLocks
{
    /// <summary>Locks this normalized username, whether a user has it or not, so parallel logins count failures one at a time.</summary>
    Task<ILockScope> LockUsernameAsync(string normalizedUsername, CancellationToken cancellationToken);

    /// <summary>Locks every active admin, so two admins cannot demote each other at the same moment.</summary>
    Task<ILockScope> LockActiveAdminsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a batch of failed-login rows last touched at or before <paramref name="cutoff"/>, except
    /// <paramref name="exceptUsername"/>'s (its caller holds that lock), skipping rows another login holds.
    /// </summary>
    Task PurgeLoginFailuresAsync(DateTimeOffset cutoff, string exceptUsername, CancellationToken cancellationToken);
}
