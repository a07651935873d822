using System.Text;
using CsCheck;
using ThreatPlatform.Application.Events.Formats;
using ThreatPlatform.Domain.SecurityEvents;
using static ThreatPlatform.Application.UnitTests.Events.Formats.FormatTestKit;

namespace ThreatPlatform.Application.UnitTests.Events.Formats;

/// <summary>What every parser must survive: each such record is one reason, never an exception, never a hang.</summary>
public sealed class HostileRecordTests
{
    private static readonly RecordContext Sensor = Owning("sensor-1");

    // One good record per format; the hostile ones are made from them.
    private static readonly Dictionary<EventFormat, string> Samples = new()
    {
        [EventFormat.Cef] = "<134>Nov 24 09:15:00 sensor-1 CEF:0|Acme|EdgeWall|7|scan|Port scan|6|src=198.51.100.4 cs1Label=Rule cs1=r1 msg=a\\=b",
        [EventFormat.Syslog] = "<165>1 2026-11-24T09:14:15.003Z sensor-1 evntslog - ID47 [x@32473 iut=\"3\" eventID=\"1011\"] \uFEFFAn entry",
        [EventFormat.SuricataEve] = """{"timestamp":"2026-11-24T09:41:07.512398+0000","flow_id":1,"event_type":"alert","src_ip":"198.51.100.23","dest_ip":"10.20.0.5","host":"sensor-1","alert":{"signature":"s","severity":2}}""",
        [EventFormat.Ecs] = """{"@timestamp":"2026-11-24T09:50:00Z","message":"m","event":{"action":"a","severity":5},"host":{"name":"sensor-1"}}""",
        [EventFormat.Ocsf] = """{"class_name":"Detection Finding","severity_id":4,"time":1795507200000,"device":{"hostname":"sensor-1"},"message":"m"}""",
    };

    public static TheoryData<EventFormat> Formats => [.. Samples.Keys];

    public static TheoryData<EventFormat> JsonFormats => [EventFormat.SuricataEve, EventFormat.Ecs, EventFormat.Ocsf];

    public static TheoryData<EventFormat> TextFormats => [EventFormat.Cef, EventFormat.Syslog];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_sample_reads(EventFormat format)
    {
        Event(format, Samples[format], Sensor).Source.Should().Be("sensor-1");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_record_cut_anywhere_gives_an_event_or_a_reason_and_never_throws(EventFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(Samples[format]);
        for (var length = 0; length < bytes.Length; length++)
        {
            var result = RecordParser.Parse(format, bytes.AsSpan(0, length), Sensor);

            (result.Event is null).Should().NotBe(result.Failure is null, $"a record cut at {length} is either read or refused");
        }
    }

    [Theory]
    [MemberData(nameof(JsonFormats))]
    public void A_json_record_cut_anywhere_is_refused(EventFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(Samples[format]);
        for (var length = 0; length < bytes.Length; length++)
        {
            RecordParser.Parse(format, bytes.AsSpan(0, length), Sensor).IsParsed.Should().BeFalse($"cut at {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Invalid_utf8_is_refused_naming_the_byte(EventFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(Samples[format]).ToList();
        var at = bytes.Count / 2;
        bytes.InsertRange(at, [0xC3, 0x28]);

        var failure = RecordParser.Parse(format, bytes.ToArray(), Sensor).Failure!;

        failure.Part.Should().Be("line");
        failure.At.Should().Be(at);
        failure.Message.Should().Contain("UTF-8");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_surrogate_encoded_in_utf8_is_invalid_utf8(EventFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(Samples[format]).ToList();
        bytes.InsertRange(bytes.Count / 2, [0xED, 0xA0, 0x80]);

        RecordParser.Parse(format, bytes.ToArray(), Sensor).Failure!.Message.Should().Contain("UTF-8");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_nul_byte_is_refused_rather_than_stored_or_stripped(EventFormat format)
    {
        var bytes = Encoding.UTF8.GetBytes(Samples[format]).ToList();
        var at = bytes.Count - 3;
        bytes.Insert(at, 0);

        var failure = RecordParser.Parse(format, bytes.ToArray(), Sensor).Failure!;

        failure.Part.Should().Be("line");
        failure.At.Should().Be(at);
        failure.Message.Should().Contain("NUL");
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void A_lone_surrogate_in_text_is_refused(EventFormat format)
    {
        var line = Samples[format] + " \ud800";

        var result = format == EventFormat.Cef ? CefParser.Parse(line.AsSpan(), Sensor) : SyslogParser.Parse(line.AsSpan(), Sensor);

        result.Failure!.Message.Should().Contain("surrogate");
        result.Failure.At.Should().Be(line.Length - 1);
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void A_nul_in_text_is_refused(EventFormat format)
    {
        var line = Samples[format] + "\0";

        var result = format == EventFormat.Cef ? CefParser.Parse(line.AsSpan(), Sensor) : SyslogParser.Parse(line.AsSpan(), Sensor);

        result.Failure!.Message.Should().Contain("NUL");
    }

    [Theory]
    [InlineData(EventFormat.SuricataEve, """{"event_type":"alert","host":"sensor-1","alert":{"signature":"a\u0000b"}}""", "alert.signature", "NUL")]
    [InlineData(EventFormat.Ecs, """{"event":{"action":"a"},"host":{"name":"sensor-1"},"user":{"name":"\ud800"}}""", "user.name", "surrogate")]
    [InlineData(EventFormat.Ocsf, """{"class_name":"c","severity_id":1,"device":{"hostname":"sensor-1"},"x\udc00":1}""", "json", "surrogate")]
    [InlineData(EventFormat.Ocsf, """{"class_name":"c","severity_id":1,"device":{"hostname":"sensor-1"},"tags":["ok","\u0000"]}""", "tags[1]", "NUL")]
    public void Json_escapes_of_nul_or_lone_surrogates_are_refused_naming_the_field(EventFormat format, string line, string part, string what)
    {
        var failure = Failure(format, line);

        failure.Part.Should().Be(part);
        failure.Message.Should().Contain(what);
    }

    [Theory]
    [MemberData(nameof(JsonFormats))]
    public void Json_nested_deeper_than_64_levels_is_refused(EventFormat format)
    {
        var line = Samples[format][..^1] + $",\"deep\":{new string('[', 10_000)}{new string(']', 10_000)}}}";

        var failure = Failure(format, line, Sensor);

        failure.Part.Should().Be("json");
        failure.Message.Should().Contain("depth");
    }

    [Theory]
    [MemberData(nameof(JsonFormats))]
    public void Json_nested_to_the_limit_is_read(EventFormat format)
    {
        var depth = 60;
        var line = Samples[format][..^1] + $",\"deep\":{new string('[', depth)}{new string(']', depth)}}}";

        Event(format, line, Sensor).Metadata().GetProperty("deep").GetArrayLength().Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(JsonFormats))]
    public void A_repeated_property_name_is_refused(EventFormat format)
    {
        var line = Samples[format][..^1] + ",\"dup\":1,\"dup\":2}";

        Failure(format, line, Sensor).Part.Should().Be("json");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_record_of_exactly_64_kib_is_kept_whole_and_one_byte_more_is_refused(EventFormat format)
    {
        var sample = Samples[format];
        var padding = RecordText.MaxRawBytes - Encoding.UTF8.GetByteCount(sample) - PaddingOverhead(format);
        var fits = Padded(format, sample, padding);
        var over = Padded(format, sample, padding + 1);
        Encoding.UTF8.GetByteCount(fits).Should().Be(RecordText.MaxRawBytes);

        Parse(format, fits, Sensor).Event!.Raw.Should().HaveLength(fits.Length);
        var failure = Failure(format, over, Sensor);
        failure.Part.Should().Be("line");
        failure.Message.Should().Contain("64 KiB");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_megabyte_line_is_refused_without_reading_it(EventFormat format)
    {
        var huge = new byte[1024 * 1024];
        huge.AsSpan().Fill((byte)'{');

        RecordParser.Parse(format, huge, Sensor).Failure!.At.Should().Be(RecordText.MaxRawBytes);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void An_empty_line_is_refused(EventFormat format)
    {
        RecordParser.Parse(format, "\r\n"u8, Sensor).Failure!.Message.Should().Contain("empty");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Random_bytes_never_throw(EventFormat format)
    {
        Gen.Byte.Array[0, 600].Sample(
            bytes =>
            {
                var result = RecordParser.Parse(format, bytes, Sensor);
                return (result.Event is null) != (result.Failure is null);
            },
            iter: 3_000);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_sample_with_random_bytes_overwritten_never_throws(EventFormat format)
    {
        var sample = Encoding.UTF8.GetBytes(Samples[format]);
        Gen.Select(Gen.Int[0, sample.Length - 1].Array[1, 8], Gen.Byte.Array[8]).Sample(
            (positions, values) =>
            {
                var mutated = (byte[])sample.Clone();
                for (var i = 0; i < positions.Length; i++)
                {
                    mutated[positions[i]] = values[i];
                }

                var result = RecordParser.Parse(format, mutated, Sensor);
                return (result.Event is null) != (result.Failure is null);
            },
            iter: 3_000);
    }

    [Theory]
    [MemberData(nameof(TextFormats))]
    public void Random_text_never_throws(EventFormat format)
    {
        Gen.String.Sample(
            text =>
            {
                var result = format == EventFormat.Cef ? CefParser.Parse(text.AsSpan(), Sensor) : SyslogParser.Parse(text.AsSpan(), Sensor);
                return (result.Event is null) != (result.Failure is null);
            },
            iter: 3_000);
    }

    // Pads a record inside a field that is free text in its format, so that only its length changes.
    private static string Padded(EventFormat format, string sample, int padding) => format switch
    {
        EventFormat.Cef or EventFormat.Syslog => sample + " " + new string('x', padding),
        _ => sample[..^1] + ",\"pad\":\"" + new string('x', padding) + "\"}",
    };

    private static int PaddingOverhead(EventFormat format) => format switch
    {
        EventFormat.Cef or EventFormat.Syslog => 1,
        _ => ",\"pad\":\"\"".Length,
    };
}
