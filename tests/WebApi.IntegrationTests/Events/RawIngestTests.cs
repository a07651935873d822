using ThreatPlatform.WebApi.Limits;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>POST /api/ingest/raw/: a sensor's own records, read in its format, stored as a batch is.</summary>
public sealed class RawIngestTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly Uri Raw = new("/api/ingest/raw/", UriKind.Relative);
    private static readonly string[] Networks = ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"];

    [Fact]
    public async Task A_sensor_is_created_with_a_format_and_syslog_networks_and_both_can_be_changed()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var created = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "FIREWALL", format = "cef", syslog_networks = Networks });

        ((int)created.StatusCode).Should().Be(201, await created.Content.ReadAsStringAsync());
        var sensor = await EventsApi.JsonAsync(created);
        sensor.GetProperty("format").GetString().Should().Be("CEF");
        sensor.GetProperty("syslog_networks").EnumerateArray().Select(n => n.GetString()).Should().Equal("10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32");
        var patched = await EventsApi.JsonAsync(await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.GetProperty("id").GetInt64()), new { format = "SYSLOG", syslog_networks = Array.Empty<string>() }));
        patched.GetProperty("format").GetString().Should().Be("SYSLOG");
        patched.GetProperty("syslog_networks").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task A_sensor_without_a_format_reports_native_events()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var sensor = await admin.CreateSensorOkAsync();

        sensor.GetProperty("format").GetString().Should().Be("NATIVE");
        sensor.GetProperty("syslog_networks").GetArrayLength().Should().Be(0);
    }

    [Theory]
    [InlineData("format", "XML", null)]
    [InlineData("syslog_networks", null, "10.1.2.3/8")]
    [InlineData("syslog_networks", null, "not-a-network")]
    [InlineData("syslog_networks", null, "10.0.0/8")]
    public async Task A_bad_format_or_network_is_a_400_naming_the_field(string field, string? format, string? network)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var response = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "IDS", format, syslog_networks = network is null ? null : new[] { network } });

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal(field);
    }

    [Fact]
    public async Task A_cef_body_stores_its_good_lines_and_rejects_the_others_by_line_number()
    {
        var sensor = await SensorSpeakingAsync("CEF");
        var body = string.Join('\n',
            $"CEF:0|Acme|EdgeWall|7.2|fw:deny|Inbound SMB blocked|8|src=203.0.113.9 dst=10.1.2.3 dvchost={sensor.Source} externalId=a-1 cs1Label=Rule cs1=Block SMB",
            $"<134>Nov 24 09:15:00 {sensor.Source} CEF:0|Acme|EdgeWall|7.2|scan|Port scan|5|src=198.51.100.4",
            string.Empty,
            "CEF:0|Acme|EdgeWall|7.2|scan|Port scan|11|src=198.51.100.4",
            "CEF:0|Acme|EdgeWall|7.2|trunc",
            $"CEF:0|Acme|EdgeWall|7.2|fw:allow|Outbound allowed|Low|dvchost=somebody-else",
            string.Empty);

        var answer = await (await sensor.Client.PostRawRecordsAsync(body, "text/plain")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(3);
        answer.AlertsCreated.Should().Be(1);
        answer.Rejected.Select(r => r.Index).Should().Equal(3, 4);
        answer.Rejected[0].Errors.Keys.Should().Equal("header.severity");
        answer.Rejected[1].Errors.Keys.Should().Equal("header");
        var stored = await StoredAsync(sensor.Source);
        stored.Should().HaveCount(3, "a line naming a host the sensor does not own is stored under the sensor's source");
        var blocked = stored.Single(e => e.ExternalId == "a-1");
        blocked.Format.Should().Be(EventFormat.Cef);
        blocked.Raw.Should().Be(body.Split('\n')[0], "the event keeps the record as received");
        blocked.EventType.Should().Be("fw:deny");
        blocked.Severity.Should().Be(Severity.High);
        blocked.SourceIp!.ToString().Should().Be("203.0.113.9");
        JsonDocument.Parse(blocked.Metadata!).RootElement.GetProperty("Rule").GetString().Should().Be("Block SMB");
        stored.Single(e => e.EventType == "fw:allow").Metadata.Should().Contain("somebody-else");
    }

    [Fact]
    public async Task A_syslog_body_reads_rfc5424_and_rfc3164_messages_apart()
    {
        var sensor = await SensorSpeakingAsync("SYSLOG");
        var body = string.Join('\n',
            $"<34>1 2026-11-24T09:14:15.003Z {sensor.Source} su - ID47 [origin@32473 eventID=\"9001\"] \uFEFF'su root' failed for ops on /dev/pts/8",
            $"<86>Nov 24 09:59:00 {sensor.Source} sshd[4242]: Accepted publickey for ops",
            "<34>1 2026-11-24T09:14:15.003Z truncated");

        var answer = await (await sensor.Client.PostRawRecordsAsync(body, "text/plain")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
        answer.AlertsCreated.Should().Be(1, "syslog severity 2 is CRITICAL");
        answer.Rejected.Should().ContainSingle(r => r.Index == 2 && r.Errors.ContainsKey("hostname"), "the message ends after its HOSTNAME");
        var stored = await StoredAsync(sensor.Source);
        stored.Select(e => e.EventType).Should().BeEquivalentTo("ID47", "sshd");
        stored.Single(e => e.EventType == "ID47").ExternalId.Should().Be("9001");
    }

    [Fact]
    public async Task An_eve_body_is_stored_once_and_sent_again_counts_as_duplicates()
    {
        var sensor = await SensorSpeakingAsync("SURICATA_EVE");
        var body = string.Join('\n',
            $$$"""{"timestamp":"2026-11-24T09:41:07.512398+0000","flow_id":918273645501,"event_type":"alert","src_ip":"198.51.100.23","dest_ip":"10.20.0.5","host":"{{{sensor.Source}}}","tx_id":0,"alert":{"signature":"SSH brute force attempt","signature_id":2210051,"severity":1}}""",
            $$$"""{"timestamp":"2026-11-24T09:41:08.000001+0000","flow_id":5550001,"event_type":"dns","src_ip":"10.20.0.9","dest_ip":"10.20.0.1","host":"{{{sensor.Source}}}","tx_id":4,"dns":{"type":"query","rrname":"updates.example.net"}}""",
            """{"event_type":"alert","alert":{"sig""");

        var first = await (await sensor.Client.PostRawRecordsAsync(body, "application/x-ndjson")).ShouldBeBatchAnswerAsync();
        var again = await (await sensor.Client.PostRawRecordsAsync(body, "application/x-ndjson")).ShouldBeBatchAnswerAsync();

        first.Accepted.Should().Be(2);
        first.AlertsCreated.Should().Be(1);
        first.Rejected.Should().ContainSingle(r => r.Index == 2 && r.Errors.ContainsKey("json"));
        again.Accepted.Should().Be(0);
        again.Duplicates.Should().Be(2);
        var stored = await StoredAsync(sensor.Source);
        stored.Select(e => e.ExternalId).Should().BeEquivalentTo("918273645501:alert:0", "5550001:dns:4");
        stored.Should().OnlyContain(e => e.Format == EventFormat.SuricataEve && e.Raw!.StartsWith("{\"timestamp\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_ecs_body_reads_nested_and_dotted_documents()
    {
        var sensor = await SensorSpeakingAsync("ECS");
        var body = string.Join('\n',
            $$$"""{"@timestamp":"2026-11-24T09:50:00.250Z","message":"Blocked encoded PowerShell","event":{"action":"process-blocked","severity":9,"id":"edr-1"},"observer":{"name":"{{{sensor.Source}}}"},"source":{"ip":"10.30.1.14"}}""",
            $$$"""{"@timestamp":"2026-11-24T09:51:00Z","message":"m","event.action":"login-failed","event.severity":4,"host.name":"{{{sensor.Source}}}"}""",
            """{"event":{"action":"a","severity":47}}""");

        var answer = await (await sensor.Client.PostRawRecordsAsync(body, "application/x-ndjson")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
        answer.AlertsCreated.Should().Be(1);
        answer.Rejected.Should().ContainSingle(r => r.Index == 2 && r.Errors.ContainsKey("event.severity"));
        (await StoredAsync(sensor.Source)).Select(e => (e.EventType, e.Severity)).Should()
            .BeEquivalentTo([("process-blocked", Severity.Critical), ("login-failed", Severity.Medium)]);
    }

    [Fact]
    public async Task An_ocsf_body_maps_class_severity_and_time()
    {
        var sensor = await SensorSpeakingAsync("OCSF");
        var body = $$$"""{"class_uid":2004,"class_name":"Detection Finding","severity_id":4,"time":1795507200000,"message":"Credential dumping","metadata":{"uid":"f-1","product":{"name":"Acme XDR"}},"device":{"hostname":"{{{sensor.Source}}}"},"src_endpoint":{"ip":"10.40.0.12"}}""";

        var answer = await (await sensor.Client.PostRawRecordsAsync(body, "application/x-ndjson")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(1);
        answer.AlertsCreated.Should().Be(1);
        var stored = (await StoredAsync(sensor.Source)).Single();
        stored.EventType.Should().Be("Detection Finding");
        stored.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        stored.ExternalId.Should().Be("f-1");
        stored.Format.Should().Be(EventFormat.Ocsf);
        stored.Raw.Should().Be(body);
    }

    [Fact]
    public async Task Hostile_lines_are_rejected_and_the_others_stored()
    {
        var sensor = await SensorSpeakingAsync("SYSLOG");
        var good = Encoding.UTF8.GetBytes($"<13>1 - {sensor.Source} app - - - fine\n");
        byte[] nul = [.. Encoding.UTF8.GetBytes($"<13>1 - {sensor.Source} app - - - a"), 0, (byte)'\n'];
        byte[] notUtf8 = [.. Encoding.UTF8.GetBytes($"<13>1 - {sensor.Source} app - - - caf"), 0xE9, (byte)'\n'];
        var tooLong = Encoding.UTF8.GetBytes($"<13>1 - {sensor.Source} app - - - {new string('x', 70_000)}\n");

        using var content = new ByteArrayContent([.. good, .. nul, .. notUtf8, .. tooLong, .. good]);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        var answer = await (await sensor.Client.PostAsync(Raw, content)).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
        answer.Rejected.Select(r => r.Index).Should().Equal(1, 2, 3);
        answer.Rejected.Should().OnlyContain(r => r.Errors.ContainsKey("line"));
        (await StoredAsync(sensor.Source)).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_users_token_is_refused_with_403()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var response = await admin.PostRawRecordsAsync("<13>1 - h a - - - m", "text/plain");

        ((int)response.StatusCode).Should().Be(403);
    }

    [Fact]
    public async Task A_native_sensor_is_a_400_naming_format()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var response = await sensor.Client.PostRawRecordsAsync("{}", "application/x-ndjson");

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("format");
    }

    [Fact]
    public async Task Another_content_type_is_a_415()
    {
        var sensor = await SensorSpeakingAsync("CEF");

        var response = await sensor.Client.PostRawRecordsAsync("CEF:0|V|P|1|c|n|3|", "application/json");

        ((int)response.StatusCode).Should().Be(415);
    }

    [Fact]
    public async Task A_raw_body_takes_a_process_batch_slot_like_a_batch_and_is_a_429_when_none_is_free()
    {
        var sensor = await SensorSpeakingAsync("CEF");
        var slots = factory.Services.GetRequiredService<BatchConcurrency>();
        var held = Enumerable.Range(0, slots.Options.MaxConcurrentBatches).Select(_ => slots.EnterProcess(sensorKey: true)).ToList();
        HttpResponseMessage refused;
        try
        {
            refused = await sensor.Client.PostRawRecordsAsync("CEF:0|V|P|1|c|n|3|", "text/plain");
        }
        finally
        {
            held.ForEach(slot => slot.Dispose());
        }

        await refused.ShouldBeProblemAsync(429);
        refused.Headers.RetryAfter.Should().NotBeNull();
        (await sensor.Client.PostRawRecordsAsync("CEF:0|V|P|1|c|n|3|", "text/plain")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<SensorWithKey> SensorSpeakingAsync(string format)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var patched = await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { format });
        ((int)patched.StatusCode).Should().Be(200, await patched.Content.ReadAsStringAsync());
        return sensor;
    }

    private Task<List<SecurityEvent>> StoredAsync(string source) =>
        factory.WithDbAsync(db => db.Events.AsNoTracking().Where(e => e.Source == source).ToListAsync());
}

internal static class RawIngestApi
{
    private static readonly Uri Raw = new("/api/ingest/raw/", UriKind.Relative);

    public static async Task<HttpResponseMessage> PostRawRecordsAsync(this HttpClient client, string body, string contentType)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await client.PostAsync(Raw, content);
    }
}
