using System.Net;

namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>
/// What makes two severe events "the same detection" for grouping: the sensor that reported them, their source and
/// type, and the two addresses (either may be absent; absent matches absent). A sensor with grouping on folds an event
/// into the open alert with its fingerprint instead of raising another.
/// </summary>
public sealed record AlertFingerprint(long SensorId, string Source, string EventType, IPAddress? SourceIp, IPAddress? DestinationIp);
