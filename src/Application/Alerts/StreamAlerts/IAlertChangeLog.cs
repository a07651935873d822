namespace ThreatPlatform.Application.Alerts.StreamAlerts;

/// <summary>
/// The durable, ordered log of alert changes (PostgreSQL's alert_changes, written by a trigger on alerts, so every
/// path that writes an alert is captured). Read by id: an id is a position every API replica agrees on.
/// </summary>
public interface IAlertChangeLog
{
    /// <summary>The last position in the log, or 0 when it is empty.</summary>
    Task<long> LatestIdAsync(CancellationToken cancellationToken);

    /// <summary>
    /// How far after <paramref name="after"/> the log can be read without skipping a change that is still being
    /// committed: ids are taken before commit, so a gap may be filled later (or never, when its transaction rolled back).
    /// </summary>
    Task<long> SettledUpToAsync(long after, CancellationToken cancellationToken);

    /// <summary>Changes with <paramref name="after"/> &lt; id ≤ <paramref name="upTo"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AlertChange>> ReadAsync(long after, long upTo, int limit, CancellationToken cancellationToken);

    /// <summary>Forgets changes older than <paramref name="age"/> by the database's clock; answers how many.</summary>
    Task<int> DeleteOlderThanAsync(TimeSpan age, CancellationToken cancellationToken);
}

/// <summary>
/// This process's live feed of the change log (one LISTEN per process, fanned out to every connected client).
/// </summary>
public interface IAlertChangeFeed
{
    /// <summary>
    /// Follows the log from the feed's current position: every event after <see cref="AlertFeedSubscription.Position"/>
    /// arrives on the subscription, in order. Waits until the feed has found its place in the log.
    /// </summary>
    Task<AlertFeedSubscription> SubscribeAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One client's bounded queue of live events. When the client falls behind and the queue fills, the feed completes it:
/// the client's stream ends and the client resumes with Last-Event-ID, so memory never grows without bound.
/// </summary>
public sealed class AlertFeedSubscription(System.Threading.Channels.ChannelReader<AlertStreamEvent> events, long position, Action unsubscribe)
    : IDisposable
{
    public System.Threading.Channels.ChannelReader<AlertStreamEvent> Events { get; } = events;

    /// <summary>The last position broadcast before this subscription started: later events are all on <see cref="Events"/>.</summary>
    public long Position { get; } = position;

    public void Dispose() => unsubscribe();
}
