namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Where the queries of one request read (<see cref="IApplicationReadDbContext"/>), and read-your-writes: a person who
/// has just written sees it on their next read even when the read replica lags. Without a replica both do nothing.
/// </summary>
public interface IReadRouting
{
    /// <summary>Before a query runs: chooses, once per request, whether its reads go to the replica or the primary.</summary>
    ValueTask ChooseAsync(CancellationToken cancellationToken);

    /// <summary>After a person's command succeeded: remembers where the primary's log was, for their next reads.</summary>
    ValueTask WroteAsync(long userId, CancellationToken cancellationToken);
}
