using System.Runtime.CompilerServices;
using Mediator;

namespace ThreatPlatform.Application.Alerts.StreamAlerts;

/// <summary>
/// GET /api/alerts/stream/: opens a stream of alert changes as they happen; with <paramref name="LastEventId"/>, it
/// first replays everything after that id that the change log still holds. The stream is subscribed when this
/// answers, so a change made after the answer is never missed.
/// </summary>
public sealed record OpenAlertStreamQuery(long? LastEventId) : IQuery<AlertStream>;

public sealed class OpenAlertStreamQueryHandler(IAlertChangeFeed feed, IAlertChangeLog log, AlertChangeReader reader)
    : IQueryHandler<OpenAlertStreamQuery, AlertStream>
{
    public async ValueTask<AlertStream> Handle(OpenAlertStreamQuery query, CancellationToken cancellationToken)
    {
        var subscription = await feed.SubscribeAsync(cancellationToken);
        try
        {
            // Without a Last-Event-ID the stream starts now: after the last change committed, not after the last one
            // this process happened to have broadcast already.
            return new AlertStream(subscription, reader, query.LastEventId ?? await log.LatestIdAsync(cancellationToken));
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }
}

/// <summary>An open alert stream: the replay from the log, then the live feed, in id order without repeats.</summary>
public sealed class AlertStream(AlertFeedSubscription subscription, AlertChangeReader reader, long lastEventId) : IDisposable
{
    public async IAsyncEnumerable<AlertStreamEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The log up to the subscription's position, then the subscription: nothing falls between the two.
        var last = lastEventId;
        while (last < subscription.Position)
        {
            var page = await reader.ReadAsync(last, subscription.Position, cancellationToken);
            foreach (var change in page.Events)
            {
                yield return change;
            }

            last = page.ReadUpTo;
        }

        await foreach (var change in subscription.Events.ReadAllAsync(cancellationToken))
        {
            if (change.Id > last)
            {
                last = change.Id;
                yield return change;
            }
        }
    }

    public void Dispose() => subscription.Dispose();
}
