using System.Net;
using ThreatPlatform.Domain.SecurityEvents;
using static ThreatPlatform.Application.UnitTests.Events.Formats.FormatTestKit;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

public sealed class CefParserTests
{
    // Our own sample: a perimeter firewall blocking an SMB probe.
    private const string Blocked =
        "CEF:0|Acme Networks|EdgeWall|7.2.1|fw:deny:445|Inbound SMB blocked|8|rt=1795507200000 src=203.0.113.9 dst=10.1.2.3 "
        + "spt=51515 dpt=445 proto=TCP act=blocked dvchost=edge-fw-1 externalId=ew-7781 cs1Label=Rule cs1=Block SMB from internet";

    [Fact]
    public void A_firewall_record_maps_every_column_of_the_table()
    {
        var input = Event(EventFormat.Cef, Blocked);

        input.Source.Should().Be("edge-fw-1");
        input.EventType.Should().Be("fw:deny:445");
        input.Severity.Should().Be(Severity.High);
        input.Description.Should().Be("Inbound SMB blocked");
        input.SourceIp.Should().Be(IPAddress.Parse("203.0.113.9"));
        input.DestinationIp.Should().Be(IPAddress.Parse("10.1.2.3"));
        input.OccurredAt.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1795507200000));
        input.ExternalId.Should().Be("ew-7781");
    }

    [Fact]
    public void Metadata_holds_the_header_fields_and_every_other_extension_with_custom_fields_under_their_labels()
    {
        var metadata = Event(EventFormat.Cef, Blocked).Metadata();

        metadata.Text("device_vendor").Should().Be("Acme Networks");
        metadata.Text("device_product").Should().Be("EdgeWall");
        metadata.Text("device_version").Should().Be("7.2.1");
        metadata.Text("cef_version").Should().Be("0");
        metadata.Text("cef_severity").Should().Be("8");
        metadata.Text("dpt").Should().Be("445");
        metadata.Text("act").Should().Be("blocked");
        metadata.Text("Rule").Should().Be("Block SMB from internet");
        metadata.TryGetProperty("cs1", out _).Should().BeFalse("the labelled value is named by its label");
        metadata.TryGetProperty("cs1Label", out _).Should().BeFalse();
        metadata.TryGetProperty("src", out _).Should().BeFalse("src became source_ip");
        metadata.TryGetProperty("dvchost", out _).Should().BeFalse("dvchost became the source");
    }

    [Fact]
    public void Every_custom_label_family_names_its_value()
    {
        var metadata = Event(EventFormat.Cef, "CEF:0|V|P|1|c|n|3|cn1Label=Bytes cn1=1024 cfp1Label=Score cfp1=0.93 flexString1Label=Tenant flexString1=blue c6a1Label=Peer c6a1=2001:db8::7 dvchost=h").Metadata();

        metadata.Text("Bytes").Should().Be("1024");
        metadata.Text("Score").Should().Be("0.93");
        metadata.Text("Tenant").Should().Be("blue");
        metadata.Text("Peer").Should().Be("2001:db8::7");
    }

    [Fact]
    public void Header_escapes_give_a_literal_pipe_and_backslash()
    {
        var input = Event(EventFormat.Cef, @"CEF:0|Acme\|Labs|Path\\Guard|1.0|c\|1|Blocked C:\\Windows\|tmp|5|dvchost=h");

        input.EventType.Should().Be("c|1");
        input.Description.Should().Be(@"Blocked C:\Windows|tmp");
        input.Metadata().Text("device_vendor").Should().Be("Acme|Labs");
        input.Metadata().Text("device_product").Should().Be(@"Path\Guard");
    }

    [Fact]
    public void Extension_escapes_give_equals_backslash_and_line_breaks()
    {
        var metadata = Event(EventFormat.Cef, @"CEF:0|V|P|1|c|n|3|msg=a\=b c:\\d line1\nline2\r act=x\|y dvchost=h").Metadata();

        metadata.Text("msg").Should().Be("a=b c:\\d line1\nline2\r");
        metadata.Text("act").Should().Be(@"x\|y", "a pipe needs no escape in the extension, so the backslash is kept");
    }

    [Fact]
    public void A_value_with_spaces_runs_to_the_next_key_and_an_unescaped_equals_inside_a_url_stays_in_the_value()
    {
        var metadata = Event(EventFormat.Cef, "CEF:0|V|P|1|c|n|3|request=http://shop.example/?q=red shoes&page=2 requestMethod=GET suser=Jane Q. Doe dvchost=h").Metadata();

        metadata.Text("request").Should().Be("http://shop.example/?q=red shoes&page=2");
        metadata.Text("requestMethod").Should().Be("GET");
        metadata.Text("suser").Should().Be("Jane Q. Doe");
    }

    [Theory]
    [InlineData("0", Severity.Low)]
    [InlineData("3", Severity.Low)]
    [InlineData("4", Severity.Medium)]
    [InlineData("6", Severity.Medium)]
    [InlineData("7", Severity.High)]
    [InlineData("8", Severity.High)]
    [InlineData("9", Severity.Critical)]
    [InlineData("10", Severity.Critical)]
    [InlineData("Low", Severity.Low)]
    [InlineData("Unknown", Severity.Low)]
    [InlineData("medium", Severity.Medium)]
    [InlineData("High", Severity.High)]
    [InlineData("Very-High", Severity.Critical)]
    public void Severity_maps_numbers_by_band_and_words_by_name(string severity, Severity expected)
    {
        Event(EventFormat.Cef, $"CEF:0|V|P|1|c|n|{severity}|dvchost=h").Severity.Should().Be(expected);
    }

    [Theory]
    [InlineData("11")]
    [InlineData("-1")]
    [InlineData("Severe")]
    [InlineData("")]
    public void A_severity_outside_the_spec_is_refused_naming_it(string severity)
    {
        Failure(EventFormat.Cef, $"CEF:0|V|P|1|c|n|{severity}|dvchost=h").Part.Should().Be("header.severity");
    }

    [Theory]
    [InlineData("Nov 24 2026 09:30:00", "2026-11-24T09:30:00Z")]
    [InlineData("Nov 24 2026 09:30:00.250", "2026-11-24T09:30:00.25Z")]
    [InlineData("Nov 24 2026 09:30:00 GMT+01:00", "2026-11-24T08:30:00Z")]
    [InlineData("Nov 24 2026 09:30:00.250 UTC", "2026-11-24T09:30:00.25Z")]
    [InlineData("Nov 24 09:30:00", "2026-11-24T09:30:00Z")]
    [InlineData("1795507200000", "2026-11-24T08:00:00Z")]
    public void Rt_reads_epoch_milliseconds_and_cef_dates(string rt, string utc)
    {
        Event(EventFormat.Cef, $"CEF:0|V|P|1|c|n|3|rt={rt} dvchost=h").OccurredAt
            .Should().Be(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("Nov 24 2026 09:30:00 PST")]
    [InlineData("99999999999999999999")]
    public void An_unreadable_rt_is_refused_naming_it(string rt)
    {
        Failure(EventFormat.Cef, $"CEF:0|V|P|1|c|n|3|rt={rt} dvchost=h").Part.Should().Be("extension.rt");
    }

    [Fact]
    public void Without_dvchost_the_sensors_first_source_is_used()
    {
        Event(EventFormat.Cef, "CEF:0|V|P|1|c|n|3|act=x", Owning("fw-1")).Source.Should().Be("fw-1");
    }

    [Fact]
    public void A_dvchost_the_sensor_does_not_own_becomes_its_first_source_and_stays_in_metadata()
    {
        var input = Event(EventFormat.Cef, "CEF:0|V|P|1|c|n|3|dvchost=elsewhere", Owning("fw-1"));

        input.Source.Should().Be("fw-1");
        input.Metadata().Text("dvchost").Should().Be("elsewhere");
    }

    [Fact]
    public void A_cef_record_inside_an_rfc3164_syslog_message_reads_the_header_into_metadata_and_its_time_as_fallback()
    {
        var input = Event(EventFormat.Cef, "<134>Nov 24 09:15:00 edge-fw-1 CEF:0|Acme|EdgeWall|7|scan|Port scan|6|src=198.51.100.4", Owning("edge-fw-1"));

        input.Severity.Should().Be(Severity.Medium);
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 9, 15, 0, TimeSpan.Zero));
        var syslog = input.Metadata().GetProperty("syslog");
        syslog.Text("hostname").Should().Be("edge-fw-1");
        syslog.Text("facility").Should().Be("16");
    }

    [Fact]
    public void A_cef_record_inside_an_rfc5424_message_is_read_too()
    {
        var input = Event(EventFormat.Cef, "<134>1 2026-11-24T09:15:00Z edge-fw-1 edgewall - - - CEF:0|Acme|EdgeWall|7|scan|Port scan|6|rt=Nov 24 2026 09:14:59 UTC", Owning("edge-fw-1"));

        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 9, 14, 59, TimeSpan.Zero), "rt wins over the syslog time");
        input.Metadata().GetProperty("syslog").Text("app_name").Should().Be("edgewall");
    }

    [Fact]
    public void An_empty_extension_is_allowed()
    {
        Event(EventFormat.Cef, "CEF:1|V|P|1|c|n|3|", Owning("fw-1")).Metadata().Text("cef_version").Should().Be("1");
    }

    [Theory]
    [InlineData("CEF:0|Acme|EdgeWall|7.2.1|fw:deny", "header")]
    [InlineData("CEF:0|Acme|EdgeWall|7.2.1|fw:deny|Inbound SMB blocked|8", "header")]
    [InlineData("<134>Nov 24 09:15:00 edge-fw-1 CEF:0|Acme", "header")]
    [InlineData("CEF:x|V|P|1|c|n|3|", "header.version")]
    [InlineData("CEF:0|V|P|1| |n|3|", "header.device_event_class_id")]
    [InlineData("just text", "header")]
    [InlineData("CEF:0|V|P|1|c|n|3|src=10.0.0", "extension.src")]
    [InlineData("CEF:0|V|P|1|c|n|3|dst=10.0.0.1 ds", "extension.dst")]
    [InlineData("CEF:0|V|P|1|c|n|3|no pairs here", "extension")]
    public void A_truncated_or_malformed_record_is_refused_naming_the_part(string line, string part)
    {
        Failure(EventFormat.Cef, line, Owning("fw-1")).Part.Should().Be(part);
    }

    [Fact]
    public void A_key_given_twice_keeps_its_last_value()
    {
        Event(EventFormat.Cef, "CEF:0|V|P|1|c|n|3|act=first act=second dvchost=h").Metadata().Text("act").Should().Be("second");
    }

    [Fact]
    public void In_an_extension_of_many_keys_a_repeated_key_keeps_its_last_value_and_a_label_naming_another_key_is_not_used()
    {
        var keys = string.Join(' ', Enumerable.Range(0, 20).Select(i => $"k{i}=v{i}"));
        var line = $"CEF:0|V|P|1|c|n|3|{keys} cs1Label=k5 cs1=labelled cs2Label=Tag cs2=t k3=again k19=last dvchost=h";

        var metadata = Event(EventFormat.Cef, line).Metadata();

        metadata.Text("k3").Should().Be("again");
        metadata.Text("k19").Should().Be("last");
        metadata.Text("k5").Should().Be("v5");
        metadata.Text("cs1").Should().Be("labelled", "its label names another key");
        metadata.Text("Tag").Should().Be("t");
        metadata.EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith('k')).Should().Equal(Enumerable.Range(0, 20).Select(i => $"k{i}"));
    }
}
