using System.Net;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Events;

public sealed class EventMapperTests
{
    [Fact]
    public void Every_event_field_reaches_the_dto()
    {
        var at = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
        var securityEvent = SecurityEvent.Ingest(
            "ids-3", "malware", Severity.Critical, "dropper", at.AddMinutes(-1), IPAddress.Parse("192.0.2.1"),
            IPAddress.Parse("2001:db8::5"), """{"hash":"abc"}""", "ext-9", 12, 7, at);

        var dto = securityEvent.ToDto(alertId: 44);

        dto.Should().BeEquivalentTo(new
        {
            Source = "ids-3",
            EventType = "malware",
            Severity = Severity.Critical,
            Description = "dropper",
            OccurredAt = at.AddMinutes(-1),
            SourceIp = "192.0.2.1",
            DestinationIp = "2001:db8::5",
            ExternalId = "ext-9",
            Timestamp = at,
            IngestedBy = 12L,
            Sensor = 7L,
            AlertId = 44L,
        });
        dto.Metadata!.Value.GetProperty("hash").GetString().Should().Be("abc");
    }

    [Fact]
    public void Absent_optional_fields_stay_null()
    {
        var securityEvent = SecurityEvent.Ingest("fw", "scan", Severity.Low, null, null, null, null, null, null, null, null, DateTimeOffset.UnixEpoch);

        var dto = securityEvent.ToDto(alertId: null);

        dto.SourceIp.Should().BeNull();
        dto.Metadata.Should().BeNull();
        dto.AlertId.Should().BeNull();
        dto.IngestedBy.Should().BeNull();
    }
}
