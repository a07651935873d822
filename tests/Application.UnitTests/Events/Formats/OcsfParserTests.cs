using System.Net;
using ThreatPlatform.Domain.SecurityEvents;
using static ThreatPlatform.Application.UnitTests.Events.Formats.FormatTestKit;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

// Our own events, written from the OCSF schema (Detection Finding, Network Activity).
public sealed class OcsfParserTests
{
    private const string Finding =
        """{"class_uid":2004,"class_name":"Detection Finding","category_name":"Findings","activity_id":1,"severity_id":5,"severity":"Critical","time":1795507200000,"message":"Credential dumping from LSASS","metadata":{"uid":"f-90210","version":"1.3.0","product":{"name":"Acme XDR","vendor_name":"Acme"}},"device":{"hostname":"srv-db-2","ip":"10.40.0.12"},"src_endpoint":{"ip":"10.40.0.12"},"dst_endpoint":{"ip":"10.40.0.1","port":445},"finding_info":{"title":"LSASS access","uid":"fi-1"}}""";

    [Fact]
    public void A_finding_maps_every_column_of_the_table()
    {
        var input = Event(EventFormat.Ocsf, Finding);

        input.Source.Should().Be("srv-db-2");
        input.EventType.Should().Be("Detection Finding");
        input.Severity.Should().Be(Severity.Critical);
        input.Description.Should().Be("Credential dumping from LSASS");
        input.SourceIp.Should().Be(IPAddress.Parse("10.40.0.12"));
        input.DestinationIp.Should().Be(IPAddress.Parse("10.40.0.1"));
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        input.ExternalId.Should().Be("f-90210");
    }

    [Fact]
    public void Metadata_is_the_rest_of_the_event()
    {
        var metadata = Event(EventFormat.Ocsf, Finding).Metadata();

        metadata.Text("class_uid").Should().Be("2004");
        metadata.GetProperty("finding_info").Text("title").Should().Be("LSASS access");
        metadata.GetProperty("metadata").GetProperty("product").Text("name").Should().Be("Acme XDR");
        metadata.GetProperty("metadata").TryGetProperty("uid", out _).Should().BeFalse();
        metadata.GetProperty("dst_endpoint").Text("port").Should().Be("445");
        metadata.TryGetProperty("src_endpoint", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(0, Severity.Low)]
    [InlineData(1, Severity.Low)]
    [InlineData(2, Severity.Low)]
    [InlineData(3, Severity.Medium)]
    [InlineData(4, Severity.High)]
    [InlineData(5, Severity.Critical)]
    [InlineData(6, Severity.Critical)]
    [InlineData(99, Severity.Low)]
    public void Severity_id_maps_onto_the_platforms(int severityId, Severity expected)
    {
        Event(EventFormat.Ocsf, $$$"""{"class_name":"Network Activity","severity_id":{{{severityId}}},"device":{"hostname":"h"}}""").Severity.Should().Be(expected);
    }

    [Fact]
    public void Without_device_hostname_the_product_name_is_the_source()
    {
        Event(EventFormat.Ocsf, """{"class_name":"Network Activity","severity_id":1,"metadata":{"product":{"name":"Acme NDR"}}}""")
            .Source.Should().Be("Acme NDR");
    }

    [Theory]
    [InlineData("""{"severity_id":1,"device":{"hostname":"h"}}""", "class_name")]
    [InlineData("""{"class_name":"c","device":{"hostname":"h"}}""", "severity_id")]
    [InlineData("""{"class_name":"c","severity_id":7,"device":{"hostname":"h"}}""", "severity_id")]
    [InlineData("""{"class_name":"c","severity_id":1,"device":{"hostname":"h"},"time":"2026-11-24"}""", "time")]
    [InlineData("""{"class_name":"c","severity_id":1,"device":{"hostname":"h"},"time":999999999999999999}""", "time")]
    [InlineData("""{"class_name":"c","severity_id":1,"device":{"hostname":"h"},"dst_endpoint":{"ip":"10.1"}}""", "dst_endpoint.ip")]
    public void An_event_missing_or_spoiling_a_mapped_field_is_refused_naming_it(string line, string part)
    {
        Failure(EventFormat.Ocsf, line).Part.Should().Be(part);
    }
}
