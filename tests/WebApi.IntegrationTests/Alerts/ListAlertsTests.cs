using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

public sealed class ListAlertsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Alert_list_is_a_drf_page_of_alerts_with_their_events()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        var alertId = await analyst.RaiseAlertAsync("HIGH", source);

        var page = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}");

        page.EnumerateObject().Select(p => p.Name).Should().Equal("count", "next", "previous", "results");
        var alert = page.GetProperty("results")[0];
        alert.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("id", "status", "event", "created_at", "updated_at", "detection", "assignee", "tags", "ack_due_at", "resolve_due_at", "sla_breached", "severity", "occurrences", "first_seen_at", "last_seen_at", "event_expired", "source", "event_type", "description", "rule");
        alert.GetProperty("id").GetInt64().Should().Be(alertId);
        alert.GetProperty("event_expired").GetBoolean().Should().BeFalse();
        alert.GetProperty("source").GetString().Should().Be(source);
        alert.GetProperty("status").GetString().Should().Be("OPEN");
        alert.GetProperty("event").GetProperty("source").GetString().Should().Be(source);
        alert.GetProperty("event").GetProperty("alert_id").GetInt64().Should().Be(alertId);
    }

    [Fact]
    public async Task Status_filter_takes_repeated_and_comma_separated_values()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var open = await analyst.RaiseAlertAsync("HIGH", source);
        var acknowledged = await analyst.RaiseAlertAsync("HIGH", source);
        var resolved = await analyst.RaiseAlertAsync("HIGH", source);
        (await admin.ChangeStatusAsync(acknowledged, "ACKNOWLEDGED")).EnsureSuccessStatusCode();
        (await admin.ChangeStatusAsync(resolved, "RESOLVED")).EnsureSuccessStatusCode();

        var repeated = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&status=OPEN&status=resolved");
        var comma = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&status=OPEN,ACKNOWLEDGED");
        var single = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&status=ACKNOWLEDGED");

        repeated.Ids().Should().BeEquivalentTo([open, resolved]);
        comma.Ids().Should().BeEquivalentTo([open, acknowledged]);
        single.Ids().Should().Equal(acknowledged);
    }

    [Fact]
    public async Task Severity_source_and_type_filters_use_the_events_values()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        var high = await analyst.RaiseAlertAsync("HIGH", source, "port_scan");
        var critical = await analyst.RaiseAlertAsync("CRITICAL", source, "ransomware");
        var otherSource = await analyst.RaiseAlertAsync("CRITICAL", NewSource(), "ransomware");

        var bySeverity = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&event__severity=CRITICAL");
        var byType = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&event__event_type=port_scan");
        var both = await analyst.GetJsonAsync($"/api/alerts/?event__severity=high&event__severity=critical&event__event_type=ransomware");

        bySeverity.Ids().Should().Equal(critical);
        byType.Ids().Should().Equal(high);
        both.Ids().Should().Contain([critical, otherSource]).And.NotContain(high);
    }

    [Fact]
    public async Task Created_at_range_filters_alerts()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        var old = await analyst.RaiseAlertAsync("HIGH", source);
        var recent = await analyst.RaiseAlertAsync("HIGH", source);
        await factory.WithDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE alerts SET created_at = '2026-01-15T00:00:00Z' WHERE id = {old}"));

        var before = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&created_at__lte=2026-02-01");
        var after = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&created_at__gte=2026-02-01T00:00:00Z");

        before.Ids().Should().Equal(old);
        after.Ids().Should().Equal(recent);
    }

    [Fact]
    public async Task Search_finds_alerts_by_their_events_description_type_and_source_in_any_case()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var marker = $"mk{Guid.NewGuid():N}"[..10];
        var byDescription = await analyst.RaiseAlertAsync("HIGH", description: $"C2 callback to {marker.ToUpperInvariant()}");
        var byType = await analyst.RaiseAlertAsync("HIGH", eventType: $"x_{marker}");
        var bySource = await analyst.RaiseAlertAsync("CRITICAL", source: $"{marker}-edr");
        await analyst.RaiseAlertAsync("HIGH");

        var page = await analyst.GetJsonAsync($"/api/alerts/?search={marker}");

        page.Ids().Should().BeEquivalentTo([byDescription, byType, bySource]);
    }

    [Fact]
    public async Task Search_finds_alerts_raised_by_batch_ingest_by_their_description()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var marker = $"bt{Guid.NewGuid():N}"[..10];
        var severe = BatchApi.Event(BatchApi.NewSource(), "CRITICAL");
        severe["description"] = $"staged archive sent to {marker}.example";
        var quiet = BatchApi.Event(BatchApi.NewSource(), "LOW");
        quiet["description"] = $"{marker} seen but harmless";
        (await analyst.PostArrayAsync([severe, quiet])).EnsureSuccessStatusCode();

        var page = await analyst.GetJsonAsync($"/api/alerts/?search={marker.ToUpperInvariant()}");

        page.GetProperty("count").GetInt64().Should().Be(1);
        page.GetProperty("results")[0].GetProperty("event").GetProperty("description").GetString().Should().Contain(marker);
    }

    [Theory]
    [InlineData("created_at")]
    [InlineData("-created_at")]
    [InlineData("updated_at")]
    [InlineData("-updated_at")]
    public async Task Orders_by_time_fields_both_ways(string ordering)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await analyst.RaiseAlertAsync("HIGH", source));
        }

        var page = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&ordering={ordering}");

        page.Ids().Should().Equal(ordering.StartsWith('-') ? Enumerable.Reverse(ids) : ids);
    }

    [Fact]
    public async Task Default_order_is_newest_first()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        var first = await analyst.RaiseAlertAsync("HIGH", source);
        var second = await analyst.RaiseAlertAsync("CRITICAL", source);

        var page = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}");

        page.Ids().Should().Equal(second, first);
    }

    [Fact]
    public async Task Severity_orders_by_rank_not_alphabet()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        var critical = await analyst.RaiseAlertAsync("CRITICAL", source);
        var high = await analyst.RaiseAlertAsync("HIGH", source);

        var ascending = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&ordering=event__severity");
        var descending = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&ordering=-event__severity");

        // Alphabetically CRITICAL < HIGH; by rank HIGH < CRITICAL.
        ascending.Ids().Should().Equal(high, critical);
        descending.Ids().Should().Equal(critical, high);
    }

    [Fact]
    public async Task Status_orders_along_the_lifecycle()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        var resolved = await analyst.RaiseAlertAsync("HIGH", source);
        var open = await analyst.RaiseAlertAsync("HIGH", source);
        var acknowledged = await analyst.RaiseAlertAsync("HIGH", source);
        (await admin.ChangeStatusAsync(resolved, "RESOLVED")).EnsureSuccessStatusCode();
        (await admin.ChangeStatusAsync(acknowledged, "ACKNOWLEDGED")).EnsureSuccessStatusCode();

        var page = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&ordering=status");
        var reversed = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&ordering=-status");

        page.Ids().Should().Equal(open, acknowledged, resolved);
        reversed.Ids().Should().Equal(resolved, acknowledged, open);
    }

    [Fact]
    public async Task Pages_walk_forward_and_back_and_past_the_end_is_404()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await analyst.RaiseAlertAsync("HIGH", source));
        }

        var first = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&page_size=2");
        var last = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&page_size=2&page=3");
        var past = await analyst.GetAsync(new Uri($"/api/alerts/?event__source={source}&page_size=2&page=4", UriKind.Relative));

        first.GetProperty("count").GetInt64().Should().Be(5);
        first.Ids().Should().Equal(ids[4], ids[3]);
        first.GetProperty("previous").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        var next = new Uri(first.GetProperty("next").GetString()!);
        next.IsAbsoluteUri.Should().BeTrue();
        (await analyst.GetJsonAsync(new Uri(next.PathAndQuery, UriKind.Relative))).Ids().Should().Equal(ids[2], ids[1]);
        last.Ids().Should().Equal(ids[0]);
        last.GetProperty("next").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        last.GetProperty("previous").GetString().Should().Contain("page=2").And.Contain($"event__source={source}");
        await past.ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task Empty_result_is_an_empty_first_page_not_a_404()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var page = await analyst.GetJsonAsync($"/api/alerts/?event__source={NewSource()}");

        page.GetProperty("count").GetInt64().Should().Be(0);
        page.GetProperty("results").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Page_size_defaults_to_10_and_is_clamped_to_100()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = NewSource();
        await factory.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            WITH e AS (
              INSERT INTO events (source, event_type, severity, description, occurred_at, timestamp)
              SELECT {source}, 'bulk', 3, 'seeded', now(), now() FROM generate_series(1, 105)
              RETURNING id, source, event_type, severity, description)
            INSERT INTO alerts (event_id, status, severity, source, event_type, description, created_at, updated_at)
            SELECT id, 1, severity, source, event_type, description, now(), now() FROM e
            """));

        var byDefault = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}");
        var clamped = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&page_size=1000");

        byDefault.GetProperty("results").GetArrayLength().Should().Be(10);
        clamped.GetProperty("results").GetArrayLength().Should().Be(100);
        clamped.GetProperty("count").GetInt64().Should().Be(105);
    }

    [Theory]
    [InlineData("status=FOO", "status")]
    [InlineData("status=OPEN,NOPE", "status")]
    [InlineData("event__severity=URGENT", "event__severity")]
    [InlineData("ordering=priority", "ordering")]
    [InlineData("ordering=-event__source", "ordering")]
    [InlineData("created_at__gte=tomorrow", "created_at__gte")]
    [InlineData("created_at__lte=2026-02-30", "created_at__lte")]
    [InlineData("page=-1", "page")]
    public async Task Bad_list_parameters_are_a_400_naming_the_parameter(string query, string parameter)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var problem = await (await analyst.GetAsync(new Uri($"/api/alerts/?{query}", UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain(parameter);
    }

    [Fact]
    public async Task A_tags_filter_value_longer_than_a_tag_is_a_400_naming_tags()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var tooLong = new string('a', Alert.TagMaxLength + 1);

        var problem = await (await analyst.GetAsync(new Uri($"/api/alerts/?tags=ok,{tooLong}", UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("tags");
    }

    [Fact]
    public async Task Reading_alerts_needs_a_token()
    {
        var anonymous = factory.CreateClient();

        await (await anonymous.GetAsync(EventsApi.Alerts)).ShouldBeProblemAsync(401);
        await (await anonymous.GetAsync(EventsApi.Alert(1))).ShouldBeProblemAsync(401);
    }

    [Fact]
    public async Task Unknown_alert_is_a_404()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        await (await analyst.GetAsync(EventsApi.Alert(987_654_321))).ShouldBeProblemAsync(404);
    }

    private static string NewSource() => $"src-{Guid.NewGuid():N}"[..14];
}
