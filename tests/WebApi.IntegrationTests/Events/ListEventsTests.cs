using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

public sealed class ListEventsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Events_filter_by_severity_source_and_type()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"ids-{Guid.NewGuid():N}"[..12];
        var low = await analyst.IngestOkAsync(EventsApi.NewEvent("LOW", source, "login_failed"));
        var high = await analyst.IngestOkAsync(EventsApi.NewEvent("HIGH", source, "malware"));
        var critical = await analyst.IngestOkAsync(EventsApi.NewEvent("CRITICAL", source, "malware"));

        var bySeverity = await analyst.GetJsonAsync($"/api/events/?source={source}&severity=high,critical");
        var byType = await analyst.GetJsonAsync($"/api/events/?source={source}&event_type=login_failed");

        bySeverity.Ids().Should().BeEquivalentTo([high.GetProperty("id").GetInt64(), critical.GetProperty("id").GetInt64()]);
        byType.Ids().Should().Equal(low.GetProperty("id").GetInt64());
        bySeverity.GetProperty("count").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Events_filter_by_occurred_at_range()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"ids-{Guid.NewGuid():N}"[..12];
        var ids = new List<long>();
        foreach (var day in new[] { "2026-11-01T12:00:00Z", "2026-11-10T12:00:00Z", "2026-11-20T12:00:00Z" })
        {
            var body = EventsApi.NewEvent("LOW", source);
            body["occurred_at"] = day;
            ids.Add((await analyst.IngestOkAsync(body)).GetProperty("id").GetInt64());
        }

        var page = await analyst.GetJsonAsync($"/api/events/?source={source}&occurred_at__gte=2026-11-05&occurred_at__lte=2026-11-20T12:00:00Z");

        page.Ids().Should().BeEquivalentTo([ids[1], ids[2]]);
    }

    [Fact]
    public async Task Search_is_case_insensitive_over_source_type_and_description()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var marker = $"zq{Guid.NewGuid():N}"[..10];
        var inDescription = await analyst.IngestOkAsync(EventsApi.NewEvent("LOW", description: $"beacon to {marker.ToUpperInvariant()}.example"));
        var inType = await analyst.IngestOkAsync(EventsApi.NewEvent("LOW", eventType: $"dns_{marker}"));
        var inSource = await analyst.IngestOkAsync(EventsApi.NewEvent("LOW", source: $"{marker}-fw"));
        await analyst.IngestOkAsync(EventsApi.NewEvent("LOW"));

        var page = await analyst.GetJsonAsync($"/api/events/?search={marker}");

        page.Ids().Should().BeEquivalentTo(new[] { inDescription, inType, inSource }.Select(e => e.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task Search_treats_like_wildcards_as_plain_text()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var marker = $"w{Guid.NewGuid():N}"[..9];
        var literal = await analyst.IngestOkAsync(EventsApi.NewEvent("LOW", description: $"{marker} 100% cpu"));
        await analyst.IngestOkAsync(EventsApi.NewEvent("LOW", description: $"{marker} 100 percent cpu"));

        var page = await analyst.GetJsonAsync($"/api/events/?search={Uri.EscapeDataString(marker + " 100%")}");

        page.Ids().Should().Equal(literal.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Default_order_is_newest_first_and_severity_orders_by_rank()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"ids-{Guid.NewGuid():N}"[..12];
        var ids = new Dictionary<string, long>();
        foreach (var severity in new[] { "HIGH", "LOW", "CRITICAL", "MEDIUM" })
        {
            ids[severity] = (await analyst.IngestOkAsync(EventsApi.NewEvent(severity, source))).GetProperty("id").GetInt64();
        }

        var newest = await analyst.GetJsonAsync($"/api/events/?source={source}");
        var bySeverity = await analyst.GetJsonAsync($"/api/events/?source={source}&ordering=severity");
        var bySeverityDesc = await analyst.GetJsonAsync($"/api/events/?source={source}&ordering=-severity");

        newest.Ids().Should().Equal(ids["MEDIUM"], ids["CRITICAL"], ids["LOW"], ids["HIGH"]);
        bySeverity.Ids().Should().Equal(ids["LOW"], ids["MEDIUM"], ids["HIGH"], ids["CRITICAL"]);
        bySeverityDesc.Ids().Should().Equal(ids["CRITICAL"], ids["HIGH"], ids["MEDIUM"], ids["LOW"]);
    }

    [Fact]
    public async Task Ordering_by_occurred_at_ascending()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"ids-{Guid.NewGuid():N}"[..12];
        var late = EventsApi.NewEvent("LOW", source);
        late["occurred_at"] = "2026-11-02T00:00:00Z";
        var early = EventsApi.NewEvent("LOW", source);
        early["occurred_at"] = "2026-11-01T00:00:00Z";
        var lateId = (await analyst.IngestOkAsync(late)).GetProperty("id").GetInt64();
        var earlyId = (await analyst.IngestOkAsync(early)).GetProperty("id").GetInt64();

        var page = await analyst.GetJsonAsync($"/api/events/?source={source}&ordering=occurred_at");

        page.Ids().Should().Equal(earlyId, lateId);
    }

    [Theory]
    [InlineData("severity=SEVERE", "severity")]
    [InlineData("ordering=description", "ordering")]
    [InlineData("occurred_at__gte=last-tuesday", "occurred_at__gte")]
    [InlineData("occurred_at__lte=2026-13-45", "occurred_at__lte")]
    [InlineData("page=0", "page")]
    [InlineData("page=two", "page")]
    [InlineData("page_size=ten", "page_size")]
    public async Task Bad_list_parameters_are_a_400_naming_the_parameter(string query, string parameter)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var problem = await (await analyst.GetAsync(new Uri($"/api/events/?{query}", UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain(parameter);
    }

    [Fact]
    public async Task One_event_by_id_and_404_for_an_unknown_one()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var stored = await analyst.IngestOkAsync(EventsApi.NewEvent("CRITICAL"));
        var id = stored.GetProperty("id").GetInt64();

        var found = await analyst.GetJsonAsync(EventsApi.Event(id));
        var missing = await analyst.GetAsync(EventsApi.Event(id + 100_000));

        found.GetProperty("alert_id").GetInt64().Should().Be(stored.GetProperty("alert_id").GetInt64());
        found.GetProperty("source").GetString().Should().Be(stored.GetProperty("source").GetString());
        await missing.ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task Reading_events_needs_a_token()
    {
        var anonymous = factory.CreateClient();

        await (await anonymous.GetAsync(EventsApi.Events)).ShouldBeProblemAsync(401);
        await (await anonymous.GetAsync(EventsApi.Event(1))).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Admin_reads_events_too()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = $"adm-{Guid.NewGuid():N}"[..12];
        var inserted = new List<long>();
        foreach (var severity in new[] { "LOW", "HIGH", "MEDIUM" })
        {
            inserted.Add((await admin.IngestOkAsync(EventsApi.NewEvent(severity, source))).GetProperty("id").GetInt64());
        }

        var page = await admin.GetJsonAsync($"/api/events/?source={source}");

        page.GetProperty("count").GetInt64().Should().Be(3, "the test inserted exactly three events under this source");
        page.Ids().Should().BeEquivalentTo(inserted);
    }
}
