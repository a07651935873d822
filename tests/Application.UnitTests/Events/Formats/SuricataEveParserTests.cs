using System.Net;
using ThreatPlatform.Domain.SecurityEvents;
using static ThreatPlatform.Application.UnitTests.Events.Formats.FormatTestKit;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

// Our own records, written from the EVE format's documentation.
public sealed class SuricataEveParserTests
{
    private const string Alert =
        """{"timestamp":"2026-11-24T09:41:07.512398+0000","flow_id":918273645501,"in_iface":"eth0","event_type":"alert","src_ip":"198.51.100.23","src_port":40022,"dest_ip":"10.20.0.5","dest_port":22,"proto":"TCP","tx_id":0,"host":"ids-1","alert":{"action":"allowed","gid":1,"signature_id":2210051,"rev":3,"signature":"SSH brute force attempt","category":"Attempted Administrator Privilege Gain","severity":1}}""";

    [Fact]
    public void An_alert_maps_every_column_of_the_table()
    {
        var input = Event(EventFormat.SuricataEve, Alert);

        input.Source.Should().Be("ids-1");
        input.EventType.Should().Be("alert");
        input.Severity.Should().Be(Severity.High);
        input.Description.Should().Be("SSH brute force attempt");
        input.SourceIp.Should().Be(IPAddress.Parse("198.51.100.23"));
        input.DestinationIp.Should().Be(IPAddress.Parse("10.20.0.5"));
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 9, 41, 7, TimeSpan.Zero).AddTicks(5_123_980));
        input.ExternalId.Should().Be("918273645501:alert:0");
    }

    [Fact]
    public void Metadata_is_the_rest_of_the_record()
    {
        var metadata = Event(EventFormat.SuricataEve, Alert).Metadata();

        metadata.Text("dest_port").Should().Be("22");
        metadata.Text("flow_id").Should().Be("918273645501");
        metadata.GetProperty("alert").Text("signature_id").Should().Be("2210051");
        metadata.GetProperty("alert").TryGetProperty("signature", out _).Should().BeFalse("the signature is the description");
        metadata.TryGetProperty("src_ip", out _).Should().BeFalse();
        metadata.TryGetProperty("timestamp", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(1, Severity.High)]
    [InlineData(2, Severity.Medium)]
    [InlineData(3, Severity.Low)]
    [InlineData(4, Severity.Low)]
    public void Alert_severity_maps_one_high_two_medium_three_and_above_low(int severity, Severity expected)
    {
        Event(EventFormat.SuricataEve, $$$"""{"event_type":"alert","host":"ids-1","alert":{"signature":"s","severity":{{{severity}}}}}""")
            .Severity.Should().Be(expected);
    }

    [Fact]
    public void A_dns_record_is_low_keyed_by_flow_type_and_transaction_and_described_by_its_query()
    {
        var input = Event(EventFormat.SuricataEve, """{"timestamp":"2026-11-24T09:41:08.000001+0100","flow_id":5550001,"event_type":"dns","src_ip":"10.20.0.9","src_port":53000,"dest_ip":"10.20.0.1","dest_port":53,"proto":"UDP","host":"ids-1","tx_id":4,"dns":{"type":"query","id":4711,"rrname":"updates.example.net","rrtype":"A"}}""");

        input.EventType.Should().Be("dns");
        input.Severity.Should().Be(Severity.Low);
        input.ExternalId.Should().Be("5550001:dns:4");
        input.Description.Should().Be("DNS query updates.example.net");
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 8, 41, 8, TimeSpan.Zero).AddTicks(10));
        input.Metadata().GetProperty("dns").Text("rrtype").Should().Be("A");
    }

    [Fact]
    public void An_http_record_is_described_by_method_host_and_url()
    {
        var input = Event(EventFormat.SuricataEve, """{"timestamp":"2026-11-24T09:41:09.100000+0000","flow_id":5550002,"event_type":"http","src_ip":"10.20.0.9","dest_ip":"203.0.113.80","host":"ids-1","tx_id":0,"http":{"hostname":"portal.example.org","url":"/login","http_method":"POST","status":302,"http_user_agent":"curl/8.5.0"}}""");

        input.EventType.Should().Be("http");
        input.Description.Should().Be("HTTP POST portal.example.org/login");
        input.Metadata().GetProperty("http").Text("status").Should().Be("302");
    }

    [Fact]
    public void A_tls_record_is_described_by_its_sni()
    {
        var input = Event(EventFormat.SuricataEve, """{"timestamp":"2026-11-24T09:41:10.000000+0000","flow_id":5550003,"event_type":"tls","src_ip":"10.20.0.9","dest_ip":"203.0.113.81","host":"ids-1","tls":{"sni":"mail.example.org","version":"TLS 1.3"}}""");

        input.Description.Should().Be("TLS mail.example.org");
        input.ExternalId.Should().Be("5550003:tls", "a record without tx_id is keyed by flow and type");
    }

    [Fact]
    public void A_flow_record_keeps_its_counters_in_metadata()
    {
        var input = Event(EventFormat.SuricataEve, """{"timestamp":"2026-11-24T09:42:00.000000+0000","flow_id":5550004,"event_type":"flow","src_ip":"10.20.0.9","dest_ip":"10.20.0.7","proto":"TCP","host":"ids-1","flow":{"pkts_toserver":12,"pkts_toclient":9,"bytes_toserver":1500,"bytes_toclient":9800,"state":"closed","reason":"timeout"}}""");

        input.EventType.Should().Be("flow");
        input.Severity.Should().Be(Severity.Low);
        input.Description.Should().BeNull();
        input.Metadata().GetProperty("flow").Text("bytes_toclient").Should().Be("9800");
    }

    [Fact]
    public void An_anomaly_record_is_described_by_its_event()
    {
        var input = Event(EventFormat.SuricataEve, """{"timestamp":"2026-11-24T09:43:00.000000+0000","event_type":"anomaly","src_ip":"10.20.0.9","dest_ip":"10.20.0.7","host":"ids-1","anomaly":{"type":"decode","event":"ipv4.trunc_pkt","layer":"proto_detect"}}""");

        input.Description.Should().Be("Anomaly ipv4.trunc_pkt");
        input.ExternalId.Should().BeNull("an anomaly without a flow has no key");
    }

    [Fact]
    public void Without_host_the_sensors_first_source_is_used()
    {
        Event(EventFormat.SuricataEve, """{"event_type":"stats"}""", Owning("ids-1")).Source.Should().Be("ids-1");
    }

    [Theory]
    [InlineData("""{"host":"ids-1"}""", "event_type")]
    [InlineData("""{"event_type":"alert","host":"ids-1","timestamp":"yesterday"}""", "timestamp")]
    [InlineData("""{"event_type":"alert","host":"ids-1","src_ip":"10.0.0"}""", "src_ip")]
    [InlineData("""{"event_type":"alert","host":"ids-1","dest_ip":42}""", "dest_ip")]
    [InlineData("""{"event_type":"alert","host":"ids-1","alert":{"severity":"high"}}""", "alert.severity")]
    [InlineData("""["alert"]""", "json")]
    [InlineData("""{"event_type":"alert","host":"ids-1","alert":{"sig""", "json")]
    public void A_record_missing_or_spoiling_a_mapped_field_is_refused_naming_it(string line, string part)
    {
        Failure(EventFormat.SuricataEve, line).Part.Should().Be(part);
    }
}
