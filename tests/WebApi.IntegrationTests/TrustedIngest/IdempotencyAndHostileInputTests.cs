using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.TrustedIngest;

public sealed class IdempotencyAndHostileInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_low_copy_posted_first_cannot_suppress_the_real_critical_event()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var decoy = EventsApi.NewEvent("LOW", source, "noise");
        decoy["external_id"] = "evt-900001";
        await analyst.IngestOkAsync(decoy);
        var real = EventsApi.NewEvent("CRITICAL", source, "intrusion");
        real["external_id"] = "evt-900001";

        var response = await analyst.IngestAsync(real);

        var problem = await response.ShouldBeProblemAsync(409);
        problem.GetProperty("code").GetString().Should().Be("idempotency_conflict");
        problem.ErrorFields().Should().Equal("external_id");
        var stored = await factory.WithDbAsync(db => db.Events.Where(e => e.Source == source).ToListAsync());
        stored.Should().ContainSingle().Which.EventType.Should().Be("noise");
    }

    [Fact]
    public async Task An_identical_repeat_with_metadata_in_another_key_order_is_a_200_with_the_stored_event()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("HIGH");
        body["external_id"] = "retry-1";
        body["occurred_at"] = "2026-11-24T10:00:00.1234567Z";
        body["metadata"] = new Dictionary<string, object> { ["b"] = 2, ["a"] = new[] { 1 } };
        var first = await analyst.IngestOkAsync(body);
        body["metadata"] = new Dictionary<string, object> { ["a"] = new[] { 1 }, ["b"] = 2 };

        var again = await analyst.IngestAsync(body);

        again.StatusCode.Should().Be(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        (await EventsApi.JsonAsync(again)).GetProperty("id").GetInt64().Should().Be(first.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Concurrent_conflicting_repeats_store_one_event_and_the_others_are_200_or_409()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var bodies = Enumerable.Range(0, 8).Select(i =>
        {
            var body = EventsApi.NewEvent(i % 2 == 0 ? "HIGH" : "LOW", source);
            body["external_id"] = "race-1";
            return body;
        }).ToList();

        var responses = await Task.WhenAll(bodies.Select(b => analyst.IngestAsync(b)));

        var codes = responses.Select(r => (int)r.StatusCode).ToList();
        codes.Count(c => c == 201).Should().Be(1);
        codes.Should().OnlyContain(c => c == 201 || c == 200 || c == 409);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(1);
    }

    [Fact]
    public async Task In_a_batch_a_conflicting_repeat_is_rejected_with_its_reason_and_an_identical_one_is_a_duplicate()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        await analyst.IngestOkAsync(BatchApi.Event(source, "LOW", "k-1"));

        var response = await analyst.PostArrayAsync([
            BatchApi.Event(source, "LOW", "k-1"),
            BatchApi.Event(source, "CRITICAL", "k-1"),
            BatchApi.Event(source, "HIGH", "k-2"),
            BatchApi.Event(source, "LOW", "k-2"),
        ]);

        var text = await response.Content.ReadAsStringAsync();
        var answer = await response.ShouldBeBatchAnswerAsync();
        answer.Should().BeEquivalentTo(new { Accepted = 1, Duplicates = 1, AlertsCreated = 1 });
        answer.Rejected.Select(r => r.Index).Should().Equal(1, 3);
        answer.Rejected.Should().OnlyContain(r => r.Errors.Keys.Single() == "external_id");
        text.Should().Contain("\"reason\":\"idempotency_conflict\"");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(2);
    }

    [Theory]
    [InlineData("source")]
    [InlineData("event_type")]
    [InlineData("description")]
    [InlineData("external_id")]
    public async Task Nul_in_a_text_field_is_a_400_naming_it(string field)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("LOW");
        body[field] = "a\u0000b";

        var problem = await (await analyst.IngestAsync(body)).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal(field);
    }

    [Theory]
    [InlineData("""{"k": "a\u0000b"}""")]
    [InlineData("""{"a\u0000b": 1}""")]
    public async Task Nul_in_metadata_is_a_400_naming_metadata(string metadata)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.PostAsync(EventsApi.Events, Json($$"""{"source":"fw-1","event_type":"x","severity":"LOW","metadata":{{metadata}}}"""));

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("metadata");
    }

    [Fact]
    public async Task A_lone_surrogate_is_a_400_naming_the_field()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.PostAsync(EventsApi.Events, Json("""{"source":"fw-1","event_type":"x\ud800","severity":"LOW"}"""));

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("event_type");
    }

    [Fact]
    public async Task Hostile_items_in_a_batch_are_rejected_one_by_one_and_the_good_ones_are_stored()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        string[] lines =
        [
            BatchApi.Line(BatchApi.Event(source, "HIGH", "ok-1")),
            $$"""{"source":"{{source}}","event_type":"a\u0000b","severity":"LOW"}""",
            $$"""{"source":"{{source}}","event_type":"x","severity":"LOW","description":"\udc00"}""",
            $$$"""{"source":"{{{source}}}","event_type":"x","severity":"LOW","metadata":{"k":"\u0000"}}""",
            $$"""{"source":"{{source}}","event_type":"x","severity":"LOW","severity":"HIGH"}""",
            BatchApi.Line(BatchApi.Event(source, "LOW", "ok-2")),
        ];

        var answer = await (await analyst.PostNdjsonAsync(lines)).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(2);
        answer.Rejected.Select(r => (r.Index, r.Errors.Keys.Single())).Should().Equal((1, "event_type"), (2, "description"), (3, "metadata"), (4, "severity"));
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(2);
    }

    [Fact]
    public async Task A_repeated_property_name_is_a_400()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.PostAsync(EventsApi.Events, Json("""{"source":"fw-1","event_type":"x","severity":"LOW","severity":"CRITICAL"}"""));

        await response.ShouldBeProblemAsync(400);
    }

    [Theory]
    [InlineData("/api/alerts/?search=%00", "search")]
    [InlineData("/api/alerts/?event__source=a%00", "event__source")]
    [InlineData("/api/events/?source=%00", "source")]
    [InlineData("/api/events/?search=%ED%A0%80", "search")]
    public async Task Unstorable_text_in_a_query_string_is_a_400_naming_the_parameter(string url, string parameter)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.GetAsync(new Uri(url, UriKind.Relative));

        ((int)response.StatusCode).Should().BeLessThan(500);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Contain(parameter);
        }
        else
        {
            // A malformed UTF-8 escape decodes to U+FFFD, which is storable: the search simply finds nothing.
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            url.Should().Contain("%ED%A0%80");
        }
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
