using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>
/// A report reused a stored event's (source, external_id) with different content (409): nothing is stored and the
/// stored event stays as it is, so an idempotency key cannot be used to replace or suppress another report.
/// </summary>
public sealed class IdempotencyConflict(string source, string externalId)
    : Conflict($"An event with source '{source}' and this external_id is stored with different content; a repeat must be identical.", nameof(SecurityEvent.ExternalId))
{
    public string EventSource { get; } = source;
    public string ExternalId { get; } = externalId;
}
