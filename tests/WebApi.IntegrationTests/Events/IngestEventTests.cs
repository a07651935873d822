using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

public sealed class IngestEventTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Ingested_event_comes_back_201_with_every_field_and_its_location()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("MEDIUM");
        body["occurred_at"] = "2026-11-24T10:00:00+01:00";
        body["external_id"] = "ids-42";

        var response = await analyst.IngestAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var stored = await EventsApi.JsonAsync(response);
        response.Headers.Location!.ToString().Should().Be($"/api/events/{stored.GetProperty("id").GetInt64()}/");
        stored.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "id", "source", "event_type", "severity", "description", "occurred_at", "source_ip", "destination_ip",
            "metadata", "external_id", "timestamp", "ingested_by", "sensor", "alert_id", "detection", "format");
        stored.GetProperty("format").GetString().Should().Be("NATIVE");
        stored.GetProperty("sensor").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "a user token, not a sensor's key, sent it");
        stored.GetProperty("source").GetString().Should().Be((string)body["source"]!);
        stored.GetProperty("severity").GetString().Should().Be("MEDIUM");
        stored.GetProperty("occurred_at").GetString().Should().Be("2026-11-24T09:00:00Z");
        stored.GetProperty("source_ip").GetString().Should().Be("203.0.113.7");
        stored.GetProperty("metadata").GetProperty("ports").GetArrayLength().Should().Be(3);
        stored.GetProperty("external_id").GetString().Should().Be("ids-42");
        stored.GetProperty("timestamp").GetString().Should().EndWith("Z");
        stored.GetProperty("ingested_by").GetInt64().Should().BePositive();
        stored.GetProperty("alert_id").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Theory]
    [InlineData("HIGH")]
    [InlineData("CRITICAL")]
    [InlineData("critical")]
    public async Task Severe_event_raises_one_open_alert(string severity)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var stored = await analyst.IngestOkAsync(EventsApi.NewEvent(severity));

        var eventId = stored.GetProperty("id").GetInt64();
        var alertId = stored.GetProperty("alert_id").GetInt64();
        var alerts = await factory.WithDbAsync(db => db.Alerts.Where(a => a.EventId == eventId).ToListAsync());
        alerts.Should().ContainSingle().Which.Id.Should().Be(alertId);
        alerts[0].Status.Should().Be(AlertStatus.Open);
        var alert = await analyst.GetJsonAsync(EventsApi.Alert(alertId));
        alert.GetProperty("status").GetString().Should().Be("OPEN");
        alert.GetProperty("event").GetProperty("id").GetInt64().Should().Be(eventId);
    }

    [Theory]
    [InlineData("LOW")]
    [InlineData("MEDIUM")]
    public async Task Low_and_medium_events_raise_no_alert(string severity)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var stored = await analyst.IngestOkAsync(EventsApi.NewEvent(severity));

        var eventId = stored.GetProperty("id").GetInt64();
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.EventId == eventId))).Should().Be(0);
        stored.GetProperty("alert_id").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task The_event_reads_back_exactly_as_ingest_answered_it()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var answered = await analyst.IngestOkAsync(EventsApi.NewEvent("HIGH"));

        var read = await analyst.GetJsonAsync(EventsApi.Event(answered.GetProperty("id").GetInt64()));

        read.GetRawText().Should().Be(answered.GetRawText());
    }

    [Fact]
    public async Task Occurred_at_defaults_to_the_received_time()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var stored = await analyst.IngestOkAsync(EventsApi.NewEvent("LOW"));

        stored.GetProperty("occurred_at").GetString().Should().Be(stored.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Repeat_of_source_and_external_id_answers_200_with_the_stored_event_and_no_second_alert()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("CRITICAL");
        body["external_id"] = "sensor-7-000123";
        var first = await analyst.IngestOkAsync(body);

        var again = await analyst.IngestAsync(body);

        again.StatusCode.Should().Be(HttpStatusCode.OK);
        var repeat = await EventsApi.JsonAsync(again);
        repeat.GetProperty("id").GetInt64().Should().Be(first.GetProperty("id").GetInt64());
        repeat.GetProperty("alert_id").GetInt64().Should().Be(first.GetProperty("alert_id").GetInt64());
        var source = (string)body["source"]!;
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(1);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(1);
    }

    [Fact]
    public async Task Same_external_id_from_another_source_is_another_event()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var first = EventsApi.NewEvent("LOW");
        var second = EventsApi.NewEvent("LOW");
        first["external_id"] = second["external_id"] = "shared-1";

        var a = await analyst.IngestOkAsync(first);
        var b = await analyst.IngestOkAsync(second);

        b.GetProperty("id").GetInt64().Should().NotBe(a.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Events_without_external_id_are_never_merged()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("LOW");

        await analyst.IngestOkAsync(body);
        await analyst.IngestOkAsync(body);

        var source = (string)body["source"]!;
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(2);
    }

    [Fact]
    public async Task The_same_event_sent_at_once_from_many_connections_is_stored_once()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("HIGH");
        body["external_id"] = "burst-1";

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => analyst.IngestAsync(body)));

        responses.Select(r => (int)r.StatusCode).Should().OnlyContain(s => s == 200 || s == 201)
            .And.ContainSingle(s => s == 201);
        var ids = await Task.WhenAll(responses.Select(async r => (await EventsApi.JsonAsync(r)).GetProperty("id").GetInt64()));
        ids.Distinct().Should().ContainSingle();
        var source = (string)body["source"]!;
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(1);
    }

    public static TheoryData<string, object?, string> InvalidFields => new()
    {
        { "source", null, "source" },
        { "source", "   ", "source" },
        { "source", new string('s', 256), "source" },
        { "event_type", null, "event_type" },
        { "event_type", "", "event_type" },
        { "event_type", new string('t', 101), "event_type" },
        { "severity", "SEVERE", "severity" },
        { "severity", null, "severity" },
        { "description", new string('d', 10_001), "description" },
        { "external_id", new string('x', 256), "external_id" },
        { "source_ip", "999.1.1.1", "source_ip" },
        { "source_ip", "10.0.0", "source_ip" },
        { "destination_ip", "not-an-ip", "destination_ip" },
        { "metadata", "a string", "metadata" },
        { "metadata", new List<int> { 1, 2 }, "metadata" },
        { "occurred_at", "2099-01-01T00:00:00Z", "occurred_at" },
        { "occurred_at", "yesterday", "occurred_at" },
        { "severity", 3, "severity" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Every_invalid_field_is_a_400_that_names_it(string field, object? value, string named)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("HIGH");
        body[field] = value;
        var before = await factory.WithDbAsync(db => db.Events.CountAsync());

        var response = await analyst.IngestAsync(body);

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Contain(named);
        (await factory.WithDbAsync(db => db.Events.CountAsync())).Should().Be(before);
    }

    [Fact]
    public async Task Metadata_over_64_KiB_is_refused()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("LOW");
        body["metadata"] = new Dictionary<string, string> { ["blob"] = new string('m', 65 * 1024) };

        var problem = await (await analyst.IngestAsync(body)).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("metadata");
    }

    [Fact]
    public async Task Occurred_at_a_little_ahead_of_our_clock_is_accepted()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("LOW");
        body["occurred_at"] = DateTimeOffset.UtcNow.AddMinutes(2).ToString("O");

        var response = await analyst.IngestAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.PostAsync(EventsApi.Events, new StringContent("{\"source\": \"fw\",", Encoding.UTF8, "application/json"));

        await response.ShouldBeProblemAsync(400);
    }

    [Fact]
    public async Task Wrong_content_type_is_a_415_problem()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.PostAsync(EventsApi.Events, new StringContent("source=fw", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await response.ShouldBeProblemAsync(415);
    }

    [Fact]
    public async Task Body_over_the_limit_is_a_413_problem()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("LOW");
        body["description"] = new string('d', 2 * 1024 * 1024);

        var response = await analyst.IngestAsync(body);

        await response.ShouldBeProblemAsync(413);
    }

    [Fact]
    public async Task Ingest_needs_a_token()
    {
        var response = await factory.CreateClient().IngestAsync(EventsApi.NewEvent());

        await response.ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Admin_may_ingest_too()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var response = await admin.PostAsync(EventsApi.Events, JsonContent.Create(EventsApi.NewEvent("LOW")));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }
}
