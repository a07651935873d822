using System.Text;
using ThreatPlatform.Application.Events.IngestSyslog;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

// How the syslog listener reads a message in its sensor's format (our own messages, as the senders' documentation shows them).
public sealed class SyslogBatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Suricatas_own_syslog_output_is_read_as_eve_after_its_syslog_header()
    {
        var message = """<174>Dec  6 11:59:58 ids-1 suricata[812]: {"timestamp":"2026-12-06T11:59:58.100000+0000","flow_id":42,"event_type":"alert","src_ip":"198.51.100.23","dest_ip":"10.20.0.5","host":"ids-1","alert":{"signature":"SSH brute force attempt","severity":1}}""";

        var item = Read(EventFormat.SuricataEve, message, "ids-1");

        item.Input!.Format.Should().Be(EventFormat.SuricataEve);
        item.Input.Description.Should().Be("SSH brute force attempt");
        item.Input.Severity.Should().Be(Severity.High);
        item.Input.Raw.Should().StartWith("{\"timestamp\"");
    }

    [Fact]
    public void A_cef_sensors_message_keeps_its_syslog_header_in_metadata()
    {
        var item = Read(EventFormat.Cef, "<134>1 2026-12-06T11:59:58Z fw-1 edgewall - - - CEF:0|Acme|EdgeWall|7.2|fw:deny|Blocked|8|src=203.0.113.9", "fw-1");

        item.Input!.Format.Should().Be(EventFormat.Cef);
        item.Input.EventType.Should().Be("fw:deny");
        item.Input.Metadata.Should().Contain("\"hostname\":\"fw-1\"");
    }

    [Fact]
    public void A_native_sensors_message_is_read_as_syslog()
    {
        var item = Read(EventFormat.Native, "<11>1 2026-12-06T11:59:58Z host app - - - disk failing", "host");

        item.Input!.Format.Should().Be(EventFormat.Syslog);
        item.Input.Description.Should().Be("disk failing");
    }

    [Fact]
    public void A_message_unreadable_in_the_sensors_format_is_an_item_naming_the_part_that_failed()
    {
        var item = Read(EventFormat.Ocsf, "<14>1 2026-12-06T11:59:58Z host app - - - not json at all", "host");

        item.Input.Should().BeNull();
        item.Unreadable!.Keys.Should().ContainSingle().Which.Should().Be("json");
    }

    private static Application.Events.IngestBatch.BatchItem Read(EventFormat format, string message, string source)
    {
        var sensor = new SyslogSensor(1, format, [source], Grouping: true);
        return SyslogBatch.Read(sensor, [Encoding.UTF8.GetBytes(message)], Now).Single();
    }
}
