using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;
using static ThreatPlatform.WebApi.IntegrationTests.Events.BatchApi;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

public sealed class BatchIngestTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Valid_items_are_stored_and_invalid_ones_reported_by_index()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var noSeverity = Event(source);
        noSeverity.Remove("severity");
        var badIp = Event(source);
        badIp["source_ip"] = "999.1.1.1";
        var tooLong = Event(source, eventType: new string('x', 101));

        var response = await client.PostArrayAsync([Event(source), noSeverity, Event(source, "MEDIUM"), badIp, tooLong, Event(source, "HIGH")]);

        var answer = await response.ShouldBeBatchAnswerAsync();
        answer.Accepted.Should().Be(3);
        answer.Duplicates.Should().Be(0);
        answer.Rejected.Select(r => r.Index).Should().Equal(1, 3, 4);
        answer.Rejected[0].Errors.Keys.Should().Equal("severity");
        answer.Rejected[1].Errors.Keys.Should().Equal("source_ip");
        answer.Rejected[2].Errors.Keys.Should().Equal("event_type");
        var stored = await factory.WithDbAsync(db => db.Events.Where(e => e.Source == source).Select(e => e.Severity).ToListAsync());
        stored.Should().BeEquivalentTo([Severity.Low, Severity.Medium, Severity.High]);
    }

    [Fact]
    public async Task Stored_events_keep_every_field_and_who_sent_them()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst));
        var source = NewSource();
        var item = Event(source, "critical", externalId: "  ext-1 ");
        item["occurred_at"] = "2026-11-24T10:00:00+02:00";

        (await (await client.PostArrayAsync([item])).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);

        var stored = await factory.WithDbAsync(db => db.Events.AsNoTracking().SingleAsync(e => e.Source == source));
        stored.EventType.Should().Be("port_scan");
        stored.Severity.Should().Be(Severity.Critical);
        stored.Description.Should().Be($"port_scan seen by {source}");
        stored.OccurredAt.Should().Be(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        stored.SourceIp!.ToString().Should().Be("10.0.0.1");
        stored.DestinationIp!.ToString().Should().Be("2001:db8::1");
        stored.Metadata.Should().Contain("\"rule\"").And.Contain("42");
        stored.ExternalId.Should().Be("ext-1");
        stored.IngestedById.Should().Be(user.Id);
        stored.Timestamp.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_batch_of_only_invalid_items_stores_nothing_and_reports_every_index()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();

        var response = await client.PostArrayAsync([Event(source, "URGENT"), Event("", "LOW"), Event(source, "HIGH", eventType: "")]);

        var answer = await response.ShouldBeBatchAnswerAsync();
        answer.Should().BeEquivalentTo(new { Accepted = 0, Duplicates = 0, AlertsCreated = 0 });
        answer.Rejected.Select(r => r.Index).Should().Equal(0, 1, 2);
        answer.Rejected[0].Errors["severity"].Single().Should().Contain("LOW, MEDIUM, HIGH, CRITICAL");
        answer.Rejected[1].Errors.Keys.Should().Equal("source");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
    }

    [Fact]
    public async Task Items_that_are_not_event_objects_or_have_wrong_types_are_rejected_alone()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var body = $"[{Line(Event(source))}, 42, {{\"source\": \"{source}\", \"event_type\": \"x\", \"severity\": 3}}, null]";

        var answer = await (await client.PostRawAsync(body, "application/json")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(1);
        answer.Rejected.Select(r => r.Index).Should().Equal(1, 2, 3);
        answer.Rejected[0].Errors.Keys.Should().Equal("body");
        answer.Rejected[1].Errors.Keys.Should().Equal("severity");
    }

    [Theory]
    [InlineData("[]", "application/json")]
    [InlineData("", "application/x-ndjson")]
    [InlineData("\n\n", "application/x-ndjson")]
    [InlineData("null", "application/json")]
    public async Task An_empty_batch_is_a_400(string body, string contentType)
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);

        var problem = await (await client.PostRawAsync(body, contentType)).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("body");
    }

    [Theory]
    [InlineData("{\"source\": \"a\"}")]
    [InlineData("[{\"source\": \"a\"},")]
    [InlineData("not json")]
    [InlineData("[1] [2]")]
    [InlineData("[1, 2,]")]
    [InlineData("[{\"metadata\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]")]
    public async Task A_body_that_is_not_a_json_array_is_a_400(string body)
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);

        var problem = await (await client.PostRawAsync(body, "application/json")).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("body");
    }

    [Theory]
    [InlineData("{\"source\": \"a\", \"source\": \"b\"}", 2, 33)]
    [InlineData("{\"flags\": {\"x\": 1, \"x\": 2}}", 2, 30)]
    [InlineData("{\"x\": 1, \"x\": 2}", 2, 19)]
    [InlineData("{\"\\ud800\": 1}", 2, 16)]
    public async Task A_repeated_or_unreadable_property_name_in_an_array_item_is_a_400_naming_where(string item, int line, int bytePosition)
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();

        var response = await client.PostRawAsync($"[{Line(Event(source))},\n  {item}]", "application/json");

        var problem = await response.ShouldBeProblemAsync(400);
        problem.GetProperty("errors").GetProperty("body")[0].GetString().Should().Contain($"(line {line}, byte {bytePosition})");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
    }

    [Fact]
    public async Task Array_items_with_a_wrong_type_inside_detection_or_a_metadata_that_is_not_an_object_are_rejected_by_field()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var confidenceText = Event(source);
        confidenceText["detection"] = new Dictionary<string, object> { ["model"] = "m", ["confidence"] = "0.5" };
        var metadataList = Event(source);
        metadataList["metadata"] = new[] { 1 };
        var detectionNumber = Event(source);
        detectionNumber["detection"] = 5;

        var answer = await (await client.PostArrayAsync([confidenceText, metadataList, detectionNumber, Event(source)])).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(1);
        answer.Rejected.Select(r => (r.Index, r.Errors.Keys.Single())).Should().Equal((0, "detection.confidence"), (1, "metadata"), (2, "detection"));
        answer.Rejected[1].Errors["metadata"].Single().Should().Be("metadata must be a JSON object.");
    }

    [Fact]
    public async Task Metadata_with_escapes_is_stored_as_sent_and_an_escaped_nul_in_a_metadata_name_is_rejected()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var escaped = $$$"""{"source":"{{{source}}}","event_type":"x","severity":"LOW","metadata":{"caf\u00e9":"a\nb \ud83d\ude00"}}""";
        var nulName = $$$"""{"source":"{{{source}}}","event_type":"x","severity":"LOW","metadata":{"k\u0000":"v"}}""";

        var answer = await (await client.PostRawAsync($"[{escaped}, {nulName}]", "application/json")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(1);
        answer.Rejected.Should().ContainSingle().Which.Errors.Keys.Should().Equal("metadata");
        var metadata = await factory.WithDbAsync(db => db.Events.Where(e => e.Source == source).Select(e => e.Metadata).SingleAsync());
        metadata.Should().Contain("café").And.Contain(@"a\nb 😀");
    }

    [Fact]
    public async Task A_json_array_after_a_utf8_byte_order_mark_is_read()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();

        var answer = await (await client.PostRawAsync("\uFEFF" + $"[{Line(Event(source))}]", "application/json")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(1);
    }

    [Fact]
    public async Task Items_of_a_large_array_are_read_whole_across_the_readers_buffers()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var longDescription = new string('d', 3000);
        var items = Enumerable.Range(0, 400).Select(i => (object)Event(source, externalId: $"e-{i}", eventType: i % 7 == 0 ? "" : "port_scan")).ToList();
        foreach (var item in items.Cast<Dictionary<string, object?>>())
        {
            item["description"] = longDescription;
        }

        var answer = await (await client.PostArrayAsync(items)).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(400 - 58);
        answer.Rejected.Select(r => r.Index).Should().Equal(Enumerable.Range(0, 400).Where(i => i % 7 == 0));
        answer.Rejected.Should().OnlyContain(r => r.Errors.Keys.Single() == "event_type");
    }

    [Fact]
    public async Task More_than_10000_items_is_a_413_and_stores_nothing()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var line = Line(new { source, event_type = "x", severity = "LOW" });

        var response = await client.PostRawAsync("[" + string.Join(',', Enumerable.Repeat(line, 10_001)) + "]", "application/json");

        var problem = await response.ShouldBeProblemAsync(413);
        problem.GetProperty("detail").GetString().Should().Contain("10,000");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
    }

    [Fact]
    public async Task Exactly_10000_items_are_accepted()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();

        var response = await client.PostNdjsonAsync(Enumerable.Range(0, 10_000).Select(i => Line(new { source, event_type = "x", severity = "LOW", external_id = $"e{i}" })));

        (await response.ShouldBeBatchAnswerAsync()).Accepted.Should().Be(10_000);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task A_body_over_10_MiB_is_a_413(string contentType)
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var line = Line(new { source, event_type = "x", severity = "LOW", description = new string('d', 9_000) });
        var lines = Enumerable.Repeat(line, (int)(10L * 1024 * 1024 / line.Length) + 2).ToList();
        var body = contentType == "application/json" ? "[" + string.Join(',', lines) + "]" : string.Join('\n', lines);

        var response = await client.PostRawAsync(body, contentType);

        await response.ShouldBeProblemAsync(413);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
    }

    [Fact]
    public async Task A_body_of_several_MiB_under_the_limit_is_accepted()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var lines = Enumerable.Range(0, 400).Select(i => Line(new { source, event_type = "x", severity = "LOW", description = new string('d', 9_000), external_id = $"big{i}" }));

        var answer = await (await client.PostRawAsync("[" + string.Join(',', lines) + "]", "application/json")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(400);
    }

    [Fact]
    public async Task A_chunked_body_over_10_MiB_without_a_length_is_a_413()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var line = Encoding.UTF8.GetBytes(Line(new { source = NewSource(), event_type = "x", severity = "LOW", description = new string('d', 9_000) }) + "\n");
        using var content = new StreamContent(new RepeatingStream(line, 11L * 1024 * 1024));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");

        var response = await client.PostAsync(Batch, content);

        await response.ShouldBeProblemAsync(413);
    }

    [Fact]
    public async Task Ndjson_is_read_line_by_line_and_a_malformed_line_is_rejected_with_its_index()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        string[] lines = [Line(Event(source)), "{\"source\": \"broken", "", Line(Event(source, "HIGH")), "[1, 2]", Line(Event(source, "LOW")) + "\r"];

        var answer = await (await client.PostNdjsonAsync(lines)).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(3);
        answer.AlertsCreated.Should().Be(1);
        answer.Rejected.Should().HaveCount(2);
        answer.Rejected[0].Index.Should().Be(1);
        answer.Rejected[0].Errors["body"].Single().Should().Contain("not valid JSON");
        answer.Rejected[1].Index.Should().Be(3, "blank lines are not items");
    }

    [Fact]
    public async Task Ndjson_media_type_may_carry_a_charset_and_the_last_line_needs_no_newline()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();

        var answer = await (await client.PostRawAsync(Line(Event(source)) + "\n" + Line(Event(source)), "application/x-ndjson; charset=utf-8"))
            .ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
    }

    [Fact]
    public async Task Repeats_inside_a_batch_are_stored_once_the_first_wins_and_a_changed_repeat_is_a_conflict()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();

        var answer = await (await client.PostArrayAsync(
        [
            Event(source, "HIGH", externalId: "a"), Event(source, "HIGH", externalId: "a"), Event(source, "LOW", externalId: "b"),
            Event(source, "LOW"), Event(source, "LOW"), Event(source, "CRITICAL", externalId: "b"),
        ])).ShouldBeBatchAnswerAsync();

        answer.Should().BeEquivalentTo(new { Accepted = 4, Duplicates = 1, AlertsCreated = 1 });
        answer.Rejected.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Index = 5 });
        var stored = await factory.WithDbAsync(db => db.Events.Where(e => e.Source == source)
            .Select(e => new { e.ExternalId, e.Severity }).ToListAsync());
        stored.Should().BeEquivalentTo(new[]
        {
            new { ExternalId = (string?)"a", Severity = Severity.High },
            new { ExternalId = (string?)"b", Severity = Severity.Low },
            new { ExternalId = (string?)null, Severity = Severity.Low },
            new { ExternalId = (string?)null, Severity = Severity.Low },
        });
    }

    [Fact]
    public async Task Repeats_of_stored_events_are_counted_as_duplicates_and_raise_no_second_alert()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        await (await client.PostArrayAsync([Event(source, "CRITICAL", externalId: "x1"), Event(source, "HIGH", externalId: "x2")])).ShouldBeBatchAnswerAsync();

        var answer = await (await client.PostArrayAsync(
            [Event(source, "CRITICAL", externalId: "x1"), Event(source, "HIGH", externalId: "x3"), Event(NewSource(), "HIGH", externalId: "x2")]))
            .ShouldBeBatchAnswerAsync();

        answer.Should().BeEquivalentTo(new { Accepted = 2, Duplicates = 1, AlertsCreated = 2 });
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(3);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(3);
    }

    [Fact]
    public async Task Alerts_are_raised_for_exactly_the_high_and_critical_items_stored()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var invalidCritical = Event(source, "CRITICAL");
        invalidCritical["destination_ip"] = "not-an-ip";

        var answer = await (await client.PostArrayAsync(
        [
            Event(source, "LOW"), Event(source, "MEDIUM"), Event(source, "HIGH", eventType: "brute_force"), Event(source, "CRITICAL", eventType: "malware"),
            invalidCritical, Event(source, "high", externalId: "dup"), Event(source, "CRITICAL", externalId: "dup"),
        ])).ShouldBeBatchAnswerAsync();

        // The CRITICAL repeat of "dup" says something else than the first: an idempotency conflict, not a duplicate.
        answer.Should().BeEquivalentTo(new { Accepted = 5, Duplicates = 0, AlertsCreated = 3 });
        answer.Rejected.Select(r => r.Index).Should().Equal(4, 6);
        var alerts = await factory.WithDbAsync(db => db.Alerts.AsNoTracking().Include(a => a.Event).Where(a => a.Source == source).ToListAsync());
        alerts.Should().HaveCount(3);
        alerts.Should().OnlyContain(a => a.Status == AlertStatus.Open
            && a.Severity == a.Event.Severity && a.Source == a.Event.Source && a.EventType == a.Event.EventType
            && a.CreatedAt == a.UpdatedAt && a.History.Count == 0);
        alerts.Select(a => a.EventType).Should().BeEquivalentTo("brute_force", "malware", "port_scan");
        var alertedSeverities = await factory.WithDbAsync(db => db.Events.Where(e => e.Source == source && db.Alerts.Any(a => a.EventId == e.Id)).Select(e => e.Severity).ToListAsync());
        alertedSeverities.Should().OnlyContain(s => s.RaisesAlert());
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source && !db.Alerts.Any(a => a.EventId == e.Id) && e.Severity >= Severity.High))).Should().Be(0);
    }

    [Fact]
    public async Task Analyst_may_ingest_a_batch()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);

        var answer = await (await client.PostArrayAsync([Event(NewSource())])).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(1);
    }

    [Fact]
    public async Task Batch_ingest_needs_a_token()
    {
        var response = await factory.CreateClient().PostArrayAsync([Event(NewSource())]);

        await response.ShouldBeProblemAsync(401);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task Another_content_type_is_a_415(string contentType)
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);

        var response = await client.PostRawAsync(Line(new[] { Event(NewSource()) }), contentType);

        await response.ShouldBeProblemAsync(415);
    }

    [Fact]
    public async Task Concurrent_batches_sharing_external_ids_store_each_event_once_without_deadlocking()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var keys = Enumerable.Range(0, 200).Select(i => $"k{i}").ToList();
        var forward = keys.Select(k => (object)Event(source, "HIGH", externalId: k)).ToList();
        var backward = Enumerable.Reverse(keys).Select(k => (object)Event(source, "HIGH", externalId: k)).ToList();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.PostArrayAsync(i % 2 == 0 ? forward : backward)));

        var results = await Task.WhenAll(answers.Select(a => a.ShouldBeBatchAnswerAsync()));
        results.Sum(r => r.Accepted).Should().Be(200);
        results.Sum(r => r.Duplicates).Should().Be(600);
        results.Sum(r => r.AlertsCreated).Should().Be(200);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(200);
    }

    [Fact]
    public async Task The_openapi_document_describes_both_body_formats_the_item_limit_and_every_answer()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));

        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var operation = document.RootElement.GetProperty("paths").GetProperty("/api/events/batch/").GetProperty("post");
        var content = operation.GetProperty("requestBody").GetProperty("content");
        content.EnumerateObject().Select(c => c.Name).Should().BeEquivalentTo("application/json", "application/x-ndjson");
        content.GetProperty("application/json").GetProperty("schema").GetProperty("maxItems").GetInt32().Should().Be(10_000);
        operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(["200", "400", "401", "413", "415"]);
    }

    /// <summary>An endless body of one repeated line, sent without a Content-Length.</summary>
    private sealed class RepeatingStream(byte[] line, long total) : Stream
    {
        private long _sent;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(Math.Min(count, line.Length), total - _sent);
            if (n <= 0)
            {
                return 0;
            }

            Array.Copy(line, 0, buffer, offset, n);
            _sent += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
