namespace ThreatPlatform.Domain.Users;

/// <summary>
/// Failed sign-ins for one username from one client address. Kept for usernames that exist and for those that do not
/// alike, so throttling answers the same whether or not an account is behind the name.
/// </summary>
public sealed class LoginFailure
{
    private LoginFailure()
    {
        NormalizedUsername = null!;
        Client = null!;
    }

    public string NormalizedUsername { get; private set; }

    /// <summary>The client as the rate limits count it: an IPv4 address, an IPv6 /64, or <c>unknown</c> when the transport gives none.</summary>
    public string Client { get; private set; }
    public int Failures { get; private set; }
    public DateTimeOffset LastFailedAt { get; private set; }

    /// <summary>Before this time this client's next try on this username is refused unchecked.</summary>
    public DateTimeOffset BlockedUntil { get; private set; }

    public static LoginFailure Start(string normalizedUsername, string client) => new()
    {
        NormalizedUsername = normalizedUsername,
        Client = client,
    };

    /// <summary>Counts one more failure (starting over when the last one is older than the policy's window).</summary>
    public void Record(DateTimeOffset at, LoginThrottlePolicy policy)
    {
        if (!policy.IsRecent(this, at))
        {
            Failures = 0;
        }

        Failures++;
        LastFailedAt = at;
        BlockedUntil = at + policy.DelayAfter(Failures);
    }
}

/// <summary>
/// Throttling instead of lockout: a client that keeps failing on a username waits longer after each failure (the
/// first <see cref="FreeFailures"/> cost nothing, then <see cref="BaseDelay"/>, doubling, at most <see cref="MaxDelay"/>).
/// A username failed on from at least <see cref="CeilingClients"/> different addresses within <see cref="Window"/> (a
/// distributed guess) makes every client wait after each failure too, longer with every further address; one client
/// alone can never bring that about. Nothing locks: the right password works once the wait is over.
/// </summary>
public sealed record LoginThrottlePolicy(int FreeFailures, TimeSpan BaseDelay, TimeSpan MaxDelay, int CeilingClients, TimeSpan Window)
{
    public TimeSpan DelayAfter(int failures) => Grow(failures - FreeFailures);

    public bool IsRecent(LoginFailure failure, DateTimeOffset at) => failure.LastFailedAt + Window > at;

    /// <summary>
    /// How long <paramref name="client"/> must still wait before trying <paramref name="failures"/>' username; zero when
    /// it may. A client that proved it signed in as this user before (<paramref name="usernameWide"/> false) waits only
    /// for its own failures, not for the username-wide ceiling, so a distributed guess cannot keep the user out.
    /// </summary>
    public TimeSpan WaitFor(string client, IEnumerable<LoginFailure> failures, DateTimeOffset at, bool usernameWide = true)
    {
        var recent = failures.Where(f => IsRecent(f, at)).ToList();
        var wait = recent.Where(f => f.Client == client).Select(f => f.BlockedUntil - at).DefaultIfEmpty(TimeSpan.Zero).Max();
        if (usernameWide && recent.Count >= CeilingClients)
        {
            var ceilingWait = recent.Max(f => f.LastFailedAt) + Grow(recent.Count - CeilingClients + 1) - at;
            wait = ceilingWait > wait ? ceilingWait : wait;
        }

        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Zero for <paramref name="steps"/> ≤ 0, then BaseDelay × 2^(steps − 1), capped at MaxDelay.</summary>
    private TimeSpan Grow(int steps)
    {
        if (steps <= 0)
        {
            return TimeSpan.Zero;
        }

        var ticks = BaseDelay.Ticks * Math.Pow(2, Math.Min(steps - 1, 40));
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
