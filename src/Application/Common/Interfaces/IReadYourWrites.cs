namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Remembers that a person has just written, so that their next reads see it even when the read replica lags
/// (Infrastructure: the primary's WAL position after the write; nothing at all when no replica is configured).
/// </summary>
public interface IReadYourWrites
{
    ValueTask WroteAsync(long userId, CancellationToken cancellationToken);
}
