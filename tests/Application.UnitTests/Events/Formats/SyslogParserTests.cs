using ThreatPlatform.Domain.SecurityEvents;
using static ThreatPlatform.Application.UnitTests.Events.Formats.FormatTestKit;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

public sealed class SyslogParserTests
{
    private const char Bom = '\uFEFF';

    // RFC 5424 §6.5, example 1 (the BOM is the three bytes EF BB BF on the wire).
    [Fact]
    public void Rfc5424_example_1_maps_msgid_hostname_severity_time_and_message_without_its_bom()
    {
        var input = Event(EventFormat.Syslog, $"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - {Bom}'su root' failed for lonvick on /dev/pts/8");

        input.Source.Should().Be("mymachine.example.com");
        input.EventType.Should().Be("ID47");
        input.Severity.Should().Be(Severity.Critical, "PRI 34 is facility 4, severity 2");
        input.OccurredAt.Should().Be(new DateTimeOffset(2003, 10, 11, 22, 14, 15, 3, TimeSpan.Zero));
        input.Description.Should().Be("'su root' failed for lonvick on /dev/pts/8");
        input.ExternalId.Should().BeNull();
        var metadata = input.Metadata();
        metadata.Text("facility").Should().Be("4");
        metadata.Text("app_name").Should().Be("su");
        metadata.Text("syslog_format").Should().Be("RFC5424");
    }

    // Example 2: microseconds and a negative offset; no MSGID, so APP-NAME names the event type.
    [Fact]
    public void Rfc5424_example_2_reads_microseconds_and_offsets_and_falls_back_to_app_name()
    {
        var input = Event(EventFormat.Syslog, "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");

        input.Source.Should().Be("192.0.2.1");
        input.EventType.Should().Be("myproc");
        input.Severity.Should().Be(Severity.Low, "PRI 165 is local4.notice");
        input.OccurredAt.Should().Be(new DateTimeOffset(2003, 8, 24, 12, 14, 15, TimeSpan.Zero).AddTicks(30));
        input.Description.Should().Be("%% It's time to make the do-nuts.");
        input.Metadata().Text("procid").Should().Be("8710");
        input.Metadata().Text("facility").Should().Be("20");
    }

    // Example 3: structured data; its eventID is the sensor-side id.
    [Fact]
    public void Rfc5424_example_3_keeps_structured_data_and_takes_event_id_as_external_id()
    {
        var input = Event(EventFormat.Syslog, $"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] {Bom}An application event log entry...");

        input.ExternalId.Should().Be("1011");
        input.Description.Should().Be("An application event log entry...");
        var sd = input.Metadata().GetProperty("structured_data").GetProperty("exampleSDID@32473");
        sd.Text("iut").Should().Be("3");
        sd.Text("eventSource").Should().Be("Application");
    }

    // Example 4: structured data only, two elements, no MSG.
    [Fact]
    public void Rfc5424_example_4_reads_several_elements_and_no_message()
    {
        var input = Event(EventFormat.Syslog, "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]");

        input.Description.Should().BeNull();
        var sd = input.Metadata().GetProperty("structured_data");
        sd.GetProperty("examplePriority@32473").Text("class").Should().Be("high");
        sd.GetProperty("exampleSDID@32473").Text("eventID").Should().Be("1011");
    }

    [Fact]
    public void Structured_data_values_unescape_quote_backslash_and_bracket_and_keep_other_backslashes()
    {
        var input = Event(EventFormat.Syslog, """<13>1 2026-11-24T09:00:00Z fw-1 app - - [x@1 a="say \"hi\"" b="C:\\temp\]" c="a\nb"] m""");

        var sd = input.Metadata().GetProperty("structured_data").GetProperty("x@1");
        sd.Text("a").Should().Be("say \"hi\"");
        sd.Text("b").Should().Be(@"C:\temp]");
        sd.Text("c").Should().Be(@"a\nb");
    }

    [Fact]
    public void A_parameter_repeated_in_one_element_becomes_a_list()
    {
        var input = Event(EventFormat.Syslog, """<13>1 2026-11-24T09:00:00Z fw-1 app - - [x@1 ip="10.0.0.1" ip="10.0.0.2"]""");

        input.Metadata().GetProperty("structured_data").GetProperty("x@1").GetProperty("ip").GetArrayLength().Should().Be(2);
    }

    [Fact]
    public void Nil_timestamp_leaves_the_time_to_the_platform_and_nil_hostname_uses_the_sensors_source()
    {
        var input = Event(EventFormat.Syslog, "<14>1 - - - - - - hello", Owning("edr-7"));

        input.OccurredAt.Should().BeNull();
        input.Source.Should().Be("edr-7");
        input.EventType.Should().Be("syslog");
    }

    [Theory]
    [InlineData("2026-11-24T10:20:30+02:00", "2026-11-24T08:20:30Z")]
    [InlineData("2026-11-24T10:20:30.5Z", "2026-11-24T10:20:30.5Z")]
    [InlineData("2026-11-24T10:20:30.123456-05:30", "2026-11-24T15:50:30.123456Z")]
    public void Rfc5424_timestamps_keep_fractions_and_offsets(string timestamp, string utc)
    {
        var input = Event(EventFormat.Syslog, $"<13>1 {timestamp} h a - - - m");

        input.OccurredAt.Should().Be(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2026-11-24T10:20:30", "no offset")]
    [InlineData("2026-11-24T10:20:30.1234567Z", "seven fractional digits")]
    [InlineData("2026-11-24t10:20:30Z", "lower-case t")]
    [InlineData("2026-02-30T10:20:30Z", "no such day")]
    [InlineData("2026-11-24T10:20:60Z", "a leap second")]
    public void An_rfc5424_timestamp_outside_the_rfc_is_refused_naming_the_timestamp(string timestamp, string because)
    {
        Failure(EventFormat.Syslog, $"<13>1 {timestamp} h a - - - m").Part.Should().Be("timestamp", because);
    }

    [Theory]
    [InlineData(0, Severity.Critical)]
    [InlineData(2, Severity.Critical)]
    [InlineData(3, Severity.High)]
    [InlineData(4, Severity.Medium)]
    [InlineData(5, Severity.Low)]
    [InlineData(7, Severity.Low)]
    public void Syslog_severities_map_onto_the_platforms(int syslogSeverity, Severity expected)
    {
        Event(EventFormat.Syslog, $"<{8 + syslogSeverity}>1 - h a - - - m").Severity.Should().Be(expected);
    }

    [Fact]
    public void A_host_the_sensor_does_not_own_becomes_its_first_source_and_stays_in_metadata()
    {
        var input = Event(EventFormat.Syslog, "<13>1 - rogue.example a - - - m", Owning("fw-1", "fw-2"));

        input.Source.Should().Be("fw-1");
        input.Metadata().Text("hostname").Should().Be("rogue.example");
    }

    [Fact]
    public void A_host_the_sensor_owns_is_the_source()
    {
        Event(EventFormat.Syslog, "<13>1 - fw-2 a - - - m", Owning("fw-1", "fw-2")).Source.Should().Be("fw-2");
    }

    // RFC 3164 §5.4, example 1 (no year: the receiving year; no zone: UTC). The colon ends the TAG.
    [Fact]
    public void Rfc3164_example_1_reads_host_tag_and_content()
    {
        var input = Event(EventFormat.Syslog, "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");

        input.Source.Should().Be("mymachine");
        input.EventType.Should().Be("su");
        input.Severity.Should().Be(Severity.Critical);
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 10, 11, 22, 14, 15, TimeSpan.Zero));
        input.Description.Should().Be("'su root' failed for lonvick on /dev/pts/8");
        input.Metadata().Text("syslog_format").Should().Be("RFC3164");
    }

    // Example 2: no PRI and no header at all: PRI 13, all content; then the form a relay sends it on in.
    [Fact]
    public void Rfc3164_example_2_without_pri_or_header_is_all_content_at_user_notice()
    {
        var input = Event(EventFormat.Syslog, "Use the BFG!", Owning("relay-1"));

        input.Description.Should().Be("Use the BFG!");
        input.Severity.Should().Be(Severity.Low);
        input.Source.Should().Be("relay-1");
        input.OccurredAt.Should().BeNull();
        input.Metadata().Text("facility").Should().Be("1");
    }

    [Fact]
    public void Rfc3164_example_2_relayed_has_a_space_padded_day_and_no_tag()
    {
        var input = Event(EventFormat.Syslog, "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!");

        input.Source.Should().Be("10.0.0.99");
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 2, 5, 17, 32, 18, TimeSpan.Zero));
        input.EventType.Should().Be("syslog", "'Use' is followed by a space, not ':' or '[': it is content, not a TAG");
        input.Description.Should().Be("Use the BFG!");
    }

    // Example 3: the RFC reads "CST" as the HOSTNAME; what follows is content.
    [Fact]
    public void Rfc3164_example_3_takes_the_word_after_the_time_as_host()
    {
        var input = Event(EventFormat.Syslog, "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%");

        input.Source.Should().Be("CST");
        input.Description.Should().StartWith("1987 mymachine myproc[10]: %% It's time");
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 8, 24, 5, 34, 0, TimeSpan.Zero));
    }

    // Example 4: the year in front is no TIMESTAMP, so everything after PRI is content; then its relayed form.
    [Fact]
    public void Rfc3164_example_4_with_an_unrecognised_time_is_all_content()
    {
        var input = Event(EventFormat.Syslog, "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!", Owning("relay-1"));

        input.OccurredAt.Should().BeNull();
        input.Source.Should().Be("relay-1");
        input.Severity.Should().Be(Severity.Critical);
        input.Description.Should().Be("1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!");
    }

    [Fact]
    public void Rfc3164_example_4_relayed_reads_the_relays_header()
    {
        var input = Event(EventFormat.Syslog, "<0>Oct 22 10:52:12 scapegoat 1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!");

        input.Source.Should().Be("scapegoat");
        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 10, 22, 10, 52, 12, TimeSpan.Zero));
        input.Description.Should().StartWith("1990 Oct 22");
    }

    [Fact]
    public void A_december_time_seen_in_january_is_last_years()
    {
        var january = new ThreatPlatform.Application.Events.Formats.RecordContext([], new DateTimeOffset(2027, 1, 1, 0, 0, 5, TimeSpan.Zero));

        Event(EventFormat.Syslog, "<13>Dec 31 23:59:58 h app: m", january).OccurredAt
            .Should().Be(new DateTimeOffset(2026, 12, 31, 23, 59, 58, TimeSpan.Zero));
    }

    [Fact]
    public void A_january_time_seen_in_december_is_next_years()
    {
        var december = new ThreatPlatform.Application.Events.Formats.RecordContext([], new DateTimeOffset(2026, 12, 31, 23, 59, 58, TimeSpan.Zero));

        Event(EventFormat.Syslog, "<13>Jan  1 00:00:01 h app: m", december).OccurredAt
            .Should().Be(new DateTimeOffset(2027, 1, 1, 0, 0, 1, TimeSpan.Zero));
    }

    [Fact]
    public void A_time_later_in_the_year_than_its_arrival_is_last_years()
    {
        var june = new ThreatPlatform.Application.Events.Formats.RecordContext([], new DateTimeOffset(2027, 6, 1, 12, 0, 0, TimeSpan.Zero));

        Event(EventFormat.Syslog, "<13>Nov 24 09:00:00 h app: m", june).OccurredAt
            .Should().Be(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("<13>Feb  5 17:32:18 h app: m")]
    [InlineData("<13>Feb 5 17:32:18 h app: m")]
    [InlineData("<13>Feb 05 17:32:18 h app: m")]
    public void A_single_digit_day_reads_space_padded_unpadded_or_zero_padded(string line)
    {
        Event(EventFormat.Syslog, line).OccurredAt.Should().Be(new DateTimeOffset(2026, 2, 5, 17, 32, 18, TimeSpan.Zero));
    }

    [Fact]
    public void A_message_without_hostname_starts_with_its_tag()
    {
        var input = Event(EventFormat.Syslog, "<86>Nov 24 09:59:00 sshd[4242]: Accepted publickey for ops", Owning("bastion"));

        input.Source.Should().Be("bastion");
        input.EventType.Should().Be("sshd");
        input.Description.Should().Be("Accepted publickey for ops");
        input.Metadata().Text("procid").Should().Be("4242");
    }

    [Fact]
    public void A_message_without_tag_is_all_content()
    {
        var input = Event(EventFormat.Syslog, "<13>Nov 24 09:59:00 gw link down on eth1");

        input.Source.Should().Be("gw");
        input.EventType.Should().Be("syslog");
        input.Description.Should().Be("link down on eth1");
    }

    [Fact]
    public void An_rfc3339_time_in_an_rfc3164_header_is_read_as_rsyslog_writes_it()
    {
        var input = Event(EventFormat.Syslog, "<30>2026-11-24T09:58:00.123456+01:00 web-3 nginx[77]: upstream timed out");

        input.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 8, 58, 0, TimeSpan.Zero).AddTicks(1_234_560));
        input.Source.Should().Be("web-3");
        input.EventType.Should().Be("nginx");
    }

    [Fact]
    public void Each_message_is_told_apart_by_its_version_after_pri()
    {
        Event(EventFormat.Syslog, "<13>1 - h app - - - m", Owning("h")).Metadata().Text("syslog_format").Should().Be("RFC5424");
        Event(EventFormat.Syslog, "<13>Nov 24 09:59:00 h app: m", Owning("h")).Metadata().Text("syslog_format").Should().Be("RFC3164");
        Event(EventFormat.Syslog, "<13>12 is not a version", Owning("h")).Metadata().Text("syslog_format").Should().Be("RFC3164");
    }

    [Theory]
    [InlineData("<34>1 ", "timestamp")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z", "timestamp")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine", "hostname")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine su", "app_name")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine su -", "procid")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47", "structured_data")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 [x@1 a=\"b", "structured_data")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 [x@1 a=\"b\"", "structured_data")]
    [InlineData("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 [x@1 a", "structured_data")]
    public void A_truncated_rfc5424_message_is_refused_naming_where_it_stops(string line, string part)
    {
        Failure(EventFormat.Syslog, line).Part.Should().Be(part);
    }

    [Fact]
    public void An_rfc5424_header_field_over_its_length_is_refused()
    {
        Failure(EventFormat.Syslog, $"<13>1 - h {new string('a', 49)} - - - m").Part.Should().Be("app_name");
        Failure(EventFormat.Syslog, $"<13>1 - h a - {new string('m', 33)} - m").Part.Should().Be("msgid");
    }

    [Fact]
    public void A_long_message_is_cut_at_the_description_limit_and_kept_whole_in_raw()
    {
        var line = $"<13>1 - h a - - - {new string('x', SecurityEvent.DescriptionMaxLength + 500)}";

        var result = Parse(EventFormat.Syslog, line);

        result.Event!.Input.Description.Should().HaveLength(SecurityEvent.DescriptionMaxLength);
        result.Event.Raw.Should().Be(line);
    }

    [Fact]
    public void The_text_entry_reads_the_same_as_the_bytes()
    {
        var line = "<13>Nov 24 09:59:00 gw sshd[1]: ok";

        var fromText = ThreatPlatform.Application.Events.Formats.SyslogParser.Parse(line.AsSpan(), AnySource);

        fromText.Event!.Input.Should().BeEquivalentTo(Event(EventFormat.Syslog, line));
    }
}
