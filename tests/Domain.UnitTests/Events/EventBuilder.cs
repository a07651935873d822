using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.UnitTests.Events;

/// <summary>Builds ingested events for tests; only what a test is about needs saying.</summary>
internal static class EventBuilder
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    public static SecurityEvent Ingested(Severity severity = Severity.High, string source = "fw-1", string? externalId = null) =>
        SecurityEvent.Ingest(source, "port_scan", severity, "probe", null, null, null, null, externalId, 1, null, Now);
}
