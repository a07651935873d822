namespace ThreatPlatform.Application.Rules.Common;

/// <summary>
/// The correlations' state on single ingest: records events that correlations' base rules matched, in the transaction
/// the request's next save commits (begun here if none is open), and answers the indexes of the observations a
/// correlation fired on (each event key counts once, windows end at the arriving event, a firing consumes what it
/// counted). Batch and group writes record theirs inside the batch writer's own statement.
/// </summary>
public interface ICorrelationState
{
    Task<IReadOnlyList<int>> ObserveAsync(IReadOnlyList<CorrelationObservation> observations, CancellationToken cancellationToken);
}
