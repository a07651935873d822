namespace ThreatPlatform.Application.Auth.Common;

/// <summary>
/// A device token proves that a browser or client once signed in as a user: it names the user and an expiry, signed
/// by the server. Sign-in lets its holder through the username-wide throttle (a distributed guess on that username),
/// so an attacker cannot keep the real user out; the holder's own failures still throttle it.
/// </summary>
public interface IDeviceTokens
{
    /// <summary>A new token for <paramref name="userId"/>, and when it expires.</summary>
    (string Token, DateTimeOffset ExpiresAt) Issue(long userId);

    /// <summary>The user a genuine, unexpired token names; null for anything else (absent, malformed, forged, expired).</summary>
    long? UserIdOf(string? token);
}
