using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>Raised when a security event is accepted by the platform.</summary>
public sealed record EventIngested(SecurityEvent Event) : IDomainEvent;
