using System.Net;
using ThreatPlatform.Domain.SecurityEvents;
using static ThreatPlatform.Application.UnitTests.Events.Formats.FormatTestKit;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

// Our own documents, written from the ECS field reference.
public sealed class EcsParserTests
{
    private const string Nested =
        """{"@timestamp":"2026-11-24T09:50:00.250Z","message":"Blocked execution of encoded PowerShell","event":{"action":"process-blocked","kind":"alert","severity":7,"id":"edr-5521"},"observer":{"name":"edr-2","vendor":"Acme"},"host":{"name":"ws-114"},"source":{"ip":"10.30.1.14","port":50211},"destination":{"ip":"192.0.2.44"},"process":{"name":"powershell.exe","pid":4412}}""";

    [Fact]
    public void A_nested_document_maps_every_column_of_the_table()
    {
        var input = Event(EventFormat.Ecs, Nested);

        input.Source.Should().Be("edr-2", "observer.name comes before host.name");
        input.EventType.Should().Be("process-blocked");
        input.Severity.Should().Be(Severity.High);
        input.Description.Should().Be("Blocked execution of encoded PowerShell");
        input.SourceIp.Should().Be(IPAddress.Parse("10.30.1.14"));
        input.DestinationIp.Should().Be(IPAddress.Parse("192.0.2.44"));
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 9, 50, 0, 250, TimeSpan.Zero));
        input.ExternalId.Should().Be("edr-5521");
    }

    [Fact]
    public void Metadata_is_the_rest_of_the_document_without_the_fields_taken()
    {
        var metadata = Event(EventFormat.Ecs, Nested).Metadata();

        metadata.GetProperty("process").Text("name").Should().Be("powershell.exe");
        metadata.GetProperty("source").Text("port").Should().Be("50211");
        metadata.GetProperty("source").TryGetProperty("ip", out _).Should().BeFalse();
        metadata.TryGetProperty("destination", out _).Should().BeFalse("an object left empty is left out");
        metadata.GetProperty("event").Text("severity").Should().Be("7");
        metadata.GetProperty("host").Text("name").Should().Be("ws-114");
        metadata.TryGetProperty("message", out _).Should().BeFalse();
    }

    [Fact]
    public void A_dotted_document_reads_the_same_fields()
    {
        var input = Event(EventFormat.Ecs, """{"@timestamp":"2026-11-24T09:50:00Z","message":"m","event.action":"login-failed","event.severity":4,"host.name":"dc-1","source.ip":"2001:db8::5","event.id":"x-1"}""");

        input.EventType.Should().Be("login-failed");
        input.Severity.Should().Be(Severity.Medium);
        input.Source.Should().Be("dc-1");
        input.SourceIp.Should().Be(IPAddress.Parse("2001:db8::5"));
        input.ExternalId.Should().Be("x-1");
        input.Metadata().TryGetProperty("event.action", out _).Should().BeFalse();
    }

    [Fact]
    public void A_document_mixing_nested_and_dotted_names_reads_both()
    {
        var input = Event(EventFormat.Ecs, """{"event":{"action":"dns-query","severity":0},"observer.name":"resolver-1","destination":{"ip":"192.0.2.53"}}""");

        input.EventType.Should().Be("dns-query");
        input.Source.Should().Be("resolver-1");
        input.DestinationIp.Should().Be(IPAddress.Parse("192.0.2.53"));
        input.Severity.Should().Be(Severity.Low);
    }

    [Theory]
    [InlineData(0, Severity.Low)]
    [InlineData(3, Severity.Low)]
    [InlineData(4, Severity.Medium)]
    [InlineData(6, Severity.Medium)]
    [InlineData(7, Severity.High)]
    [InlineData(8, Severity.High)]
    [InlineData(9, Severity.Critical)]
    [InlineData(10, Severity.Critical)]
    public void Event_severity_maps_in_cefs_bands(int severity, Severity expected)
    {
        Event(EventFormat.Ecs, $$$"""{"event":{"action":"a","severity":{{{severity}}}},"host":{"name":"h"}}""").Severity.Should().Be(expected);
    }

    [Fact]
    public void Without_event_severity_the_event_is_low_and_without_event_action_event_kind_names_it()
    {
        var input = Event(EventFormat.Ecs, """{"event":{"kind":"event"},"message":"m"}""", Owning("edr-2"));

        input.Severity.Should().Be(Severity.Low);
        input.EventType.Should().Be("event");
        input.Source.Should().Be("edr-2");
    }

    [Fact]
    public void A_host_the_sensor_does_not_own_becomes_its_first_source_and_stays_in_metadata()
    {
        var input = Event(EventFormat.Ecs, """{"event":{"action":"a"},"observer":{"name":"stranger"}}""", Owning("edr-2"));

        input.Source.Should().Be("edr-2");
        input.Metadata().GetProperty("observer").Text("name").Should().Be("stranger");
    }

    [Theory]
    [InlineData("""{"event":{"action":"a","severity":11},"host":{"name":"h"}}""", "event.severity")]
    [InlineData("""{"event":{"action":"a","severity":"loud"},"host":{"name":"h"}}""", "event.severity")]
    [InlineData("""{"message":"no type","host":{"name":"h"}}""", "event.action")]
    [InlineData("""{"event":{"action":"a"},"host":{"name":"h"},"@timestamp":"24/11/2026"}""", "@timestamp")]
    [InlineData("""{"event":{"action":"a"},"host":{"name":"h"},"source":{"ip":"not-an-ip"}}""", "source.ip")]
    public void A_document_spoiling_a_mapped_field_is_refused_naming_it(string line, string part)
    {
        Failure(EventFormat.Ecs, line).Part.Should().Be(part);
    }
}
