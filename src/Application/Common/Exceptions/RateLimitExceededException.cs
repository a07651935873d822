namespace ThreatPlatform.Application.Common.Exceptions;

/// <summary>The caller sent more than its allowance; it may try again after <see cref="RetryAfter"/> (429 with Retry-After).</summary>
public sealed class RateLimitExceededException(TimeSpan retryAfter, string message) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
