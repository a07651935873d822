namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>A database transaction holding row locks; disposing it without committing rolls back.</summary>
public interface ILockScope : IAsyncDisposable
{
    Task CommitAsync(CancellationToken cancellationToken);
}
