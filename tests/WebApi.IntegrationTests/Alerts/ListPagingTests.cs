using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.ListAlertComments;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Events.ListEvents;
using ThreatPlatform.Application.Sensors.ListSensors;
using ThreatPlatform.Application.Users.ListUsers;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>
/// Paging at scale (shared/API.md, Paging additions): a capped count, a capped page depth, and cursors (keyset paging)
/// for every ordering of every list, stable while rows arrive. Orderings are read from each list's spec, so an
/// ordering added later is walked here too.
/// </summary>
public sealed class ListPagingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public static TheoryData<string> AlertOrderings => Both(ListAlertsQuery.Spec.Orderings);

    public static TheoryData<string> EventOrderings => Both(ListEventsQuery.Spec.Orderings);

    public static TheoryData<string> UserOrderings => Both(ListUsersQuery.Spec.Orderings);

    public static TheoryData<string> SensorOrderings => Both(ListSensorsQuery.Spec.Orderings);

    public static TheoryData<string> CommentOrderings => Both(ListAlertCommentsQuery.Spec.Orderings);

    [Fact]
    public async Task Count_stops_at_ten_thousand_and_says_so_unless_the_exact_count_is_asked_for()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = await factory.SeedAlertsAsync(10_050);

        var capped = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}");
        var exact = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&exact_count=true");
        var narrow = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&created_at__gte=2026-01-07T16:00:00Z");

        capped.GetProperty("count").GetInt64().Should().Be(10_000);
        capped.GetProperty("count_is_exact").GetBoolean().Should().BeFalse();
        exact.GetProperty("count").GetInt64().Should().Be(10_050);
        exact.TryGetProperty("count_is_exact", out _).Should().BeFalse("an exact count keeps DRF's envelope");
        narrow.GetProperty("count").GetInt64().Should().Be(10_050 - 9_600);
        narrow.TryGetProperty("count_is_exact", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("page=101&page_size=100")]
    [InlineData("page=1001")]
    [InlineData("page=1001&page_size=10")]
    [InlineData("page=2147483647&page_size=100")]
    public async Task A_page_deeper_than_ten_thousand_rows_is_a_400_naming_page_and_pointing_to_the_cursor(string query)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var problem = await (await analyst.GetAsync(new Uri($"/api/alerts/?{query}", UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("page");
        problem.GetProperty("errors").GetProperty("page")[0].GetString().Should().Contain("cursor");
    }

    [Fact]
    public async Task The_last_page_within_the_depth_cap_links_on_by_cursor_to_the_rest()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = await factory.SeedAlertsAsync(10_050);

        var page100 = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&page_size=100&page=100");
        var next = page100.GetProperty("next").GetString()!;
        var rest = await analyst.GetJsonAsync(new Uri(new Uri(next).PathAndQuery, UriKind.Relative));

        page100.Ids().Should().HaveCount(100);
        next.Should().Contain("cursor=").And.NotContain("page=").And.Contain("page_size=100").And.Contain($"event__source={source}");
        rest.Ids().Should().HaveCount(50);
        rest.Ids().Min().Should().Be(page100.Ids().Min() - 50, "newest first: the 50 oldest come right after row 10,000");
        rest.GetProperty("next").ValueKind.Should().Be(JsonValueKind.Null);
        rest.GetProperty("previous").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Theory]
    [MemberData(nameof(AlertOrderings))]
    public async Task Cursor_pages_of_alerts_read_every_alert_once_in_each_ordering(string ordering)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = EventsApi.NewEvent()["source"]!.ToString()!;
        var ids = new List<long>();
        foreach (var severity in new[] { "HIGH", "CRITICAL", "HIGH", "CRITICAL", "HIGH", "HIGH", "CRITICAL" })
        {
            ids.Add(await admin.RaiseAlertAsync(severity, source));
        }

        (await admin.ChangeStatusAsync(ids[1], "ACKNOWLEDGED")).EnsureSuccessStatusCode();
        (await admin.ChangeStatusAsync(ids[4], "RESOLVED")).EnsureSuccessStatusCode();
        (await admin.ChangeStatusAsync(ids[5], "ACKNOWLEDGED")).EnsureSuccessStatusCode();
        // Ties on every key but the id: three alerts share one creation and update time, so only the tie-breaker
        // separates them across a page boundary.
        await factory.WithDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE alerts SET created_at = '2026-06-01T00:00:00Z', updated_at = '2026-06-01T00:00:00Z' WHERE id = ANY({new[] { ids[0], ids[2], ids[3] }})"));

        await CursorWalkShouldMatchOneBigPageAsync(admin, $"/api/alerts/?event__source={source}&ordering={ordering}", ids);
    }

    [Theory]
    [MemberData(nameof(EventOrderings))]
    public async Task Cursor_pages_of_events_read_every_event_once_in_each_ordering(string ordering)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = EventsApi.NewEvent()["source"]!.ToString()!;
        var ids = new List<long>();
        foreach (var severity in new[] { "LOW", "CRITICAL", "MEDIUM", "LOW", "HIGH", "LOW", "MEDIUM" })
        {
            var body = EventsApi.NewEvent(severity, source);
            body["occurred_at"] = "2026-05-01T00:00:00Z";
            ids.Add((await analyst.IngestOkAsync(body)).GetProperty("id").GetInt64());
        }

        await factory.WithDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE events SET \"timestamp\" = '2026-06-01T00:00:00Z' WHERE id = ANY({new[] { ids[0], ids[3], ids[5] }})"));

        await CursorWalkShouldMatchOneBigPageAsync(analyst, $"/api/events/?source={source}&ordering={ordering}", ids);
    }

    [Theory]
    [MemberData(nameof(UserOrderings))]
    public async Task Cursor_pages_of_users_read_every_user_once_in_each_ordering(string ordering)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        for (var i = 0; i < 5; i++)
        {
            await factory.SeedUserAsync(UserRole.Analyst);
        }

        await CursorWalkShouldMatchOneBigPageAsync(admin, $"/api/users/?ordering={ordering}", expected: null);
    }

    [Theory]
    [MemberData(nameof(SensorOrderings))]
    public async Task Cursor_pages_of_sensors_read_every_sensor_once_in_each_ordering(string ordering)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await admin.CreateSensorOkAsync(SensorsApi.NewName("paging"))).GetProperty("id").GetInt64());
        }

        await CursorWalkShouldMatchOneBigPageAsync(admin, $"/api/sensors/?search=paging-&ordering={ordering}", expected: null);
    }

    [Theory]
    [MemberData(nameof(CommentOrderings))]
    public async Task Cursor_pages_of_comments_read_every_comment_once_in_each_ordering(string ordering)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alert = await analyst.RaiseAlertAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await analyst.CommentOkAsync(alert, $"note {i}"));
        }

        await factory.WithDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE alert_comments SET created_at = '2026-06-01T00:00:00Z' WHERE id = ANY({new[] { ids[1], ids[2] }})"));

        await CursorWalkShouldMatchOneBigPageAsync(analyst, $"/api/alerts/{alert}/comments/?ordering={ordering}", ids);
    }

    [Fact]
    public async Task Cursor_pages_neither_repeat_nor_skip_alerts_while_newer_alerts_arrive()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = EventsApi.NewEvent()["source"]!.ToString()!;
        var before = new List<long>();
        for (var i = 0; i < 9; i++)
        {
            before.Add(await analyst.RaiseAlertAsync("HIGH", source));
        }

        var seen = new List<long>();
        var page = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&page_size=4&cursor=");
        seen.AddRange(page.Ids());
        while (page.GetProperty("next").GetString() is { } next)
        {
            // Newer alerts land on top between every two pages: with page numbers each would push a row onto the next page.
            for (var i = 0; i < 3; i++)
            {
                await analyst.RaiseAlertAsync("HIGH", source);
            }

            page = await analyst.GetJsonAsync(new Uri(new Uri(next).PathAndQuery, UriKind.Relative));
            page.GetProperty("previous").ValueKind.Should().Be(JsonValueKind.Null);
            seen.AddRange(page.Ids());
        }

        seen.Should().Equal(Enumerable.Reverse(before), "newest first, each alert that existed at the start exactly once");
    }

    [Fact]
    public async Task Page_numbers_repeat_rows_when_alerts_arrive_which_is_why_cursors_exist()
    {
        // The control for the test above: the same arrivals with page links do repeat a row, so that test can fail.
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = EventsApi.NewEvent()["source"]!.ToString()!;
        for (var i = 0; i < 8; i++)
        {
            await analyst.RaiseAlertAsync("HIGH", source);
        }

        var first = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&page_size=4");
        await analyst.RaiseAlertAsync("HIGH", source);
        var second = await analyst.GetJsonAsync(new Uri(new Uri(first.GetProperty("next").GetString()!).PathAndQuery, UriKind.Relative));

        second.Ids().Should().Contain(first.Ids()[^1]);
    }

    [Fact]
    public async Task An_edited_cursor_is_a_400_naming_cursor()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var cursor = await SecondPageCursorAsync(analyst, "-created_at");
        var edited = cursor[..^3] + (cursor[^3] == 'A' ? 'B' : 'A') + cursor[^2..];

        foreach (var bad in new[] { edited, cursor[..^1], "x" + cursor, "not-a-cursor", "%00" })
        {
            var problem = await (await analyst.GetAsync(new Uri($"/api/alerts/?cursor={bad}", UriKind.Relative))).ShouldBeProblemAsync(400);
            problem.ErrorFields().Should().Equal("cursor");
        }
    }

    [Fact]
    public async Task A_cursor_used_with_another_ordering_is_a_400_naming_cursor()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var cursor = await SecondPageCursorAsync(analyst, "-created_at");

        var reversed = await (await analyst.GetAsync(new Uri($"/api/alerts/?ordering=created_at&cursor={cursor}", UriKind.Relative))).ShouldBeProblemAsync(400);
        var other = await (await analyst.GetAsync(new Uri($"/api/alerts/?ordering=-event__severity&cursor={cursor}", UriKind.Relative))).ShouldBeProblemAsync(400);
        var otherList = await (await analyst.GetAsync(new Uri($"/api/events/?cursor={cursor}", UriKind.Relative))).ShouldBeProblemAsync(400);
        var same = await analyst.GetAsync(new Uri($"/api/alerts/?ordering=-created_at&cursor={cursor}", UriKind.Relative));

        reversed.ErrorFields().Should().Equal("cursor");
        other.ErrorFields().Should().Equal("cursor");
        otherList.ErrorFields().Should().Equal("cursor");
        ((int)same.StatusCode).Should().Be(200, "the default ordering named explicitly is the same ordering");
    }

    [Fact]
    public async Task Page_and_cursor_together_are_a_400_naming_page()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var cursor = await SecondPageCursorAsync(analyst, "-created_at");

        var problem = await (await analyst.GetAsync(new Uri($"/api/alerts/?page=2&cursor={cursor}", UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("page");
    }

    [Fact]
    public async Task Exact_count_must_be_a_boolean()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var problem = await (await analyst.GetAsync(new Uri("/api/alerts/?exact_count=maybe", UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("exact_count");
    }

    private static TheoryData<string> Both(IEnumerable<string> orderings)
    {
        var data = new TheoryData<string>();
        foreach (var ordering in orderings)
        {
            data.Add(ordering);
            data.Add("-" + ordering);
        }

        return data;
    }

    // Walks the list two rows a page from an empty cursor and compares with the same list read as one page (the
    // offset query, ordered by the same keys): same rows, same order, no repeats.
    private static async Task CursorWalkShouldMatchOneBigPageAsync(HttpClient client, string list, IReadOnlyCollection<long>? expected)
    {
        var whole = (await client.GetJsonAsync($"{list}&page_size=100")).Ids();
        if (expected is not null)
        {
            whole.Should().BeEquivalentTo(expected);
        }

        whole.Count.Should().BeGreaterThan(4);
        var walked = new List<long>();
        var page = await client.GetJsonAsync($"{list}&page_size=2&cursor=");
        var pages = 1;
        walked.AddRange(page.Ids());
        while (page.GetProperty("next").GetString() is { } next)
        {
            next.Should().Contain("cursor=").And.NotContain("page=");
            page = await client.GetJsonAsync(new Uri(new Uri(next).PathAndQuery, UriKind.Relative));
            page.GetProperty("previous").ValueKind.Should().Be(JsonValueKind.Null);
            walked.AddRange(page.Ids());
            (++pages).Should().BeLessThan(100);
        }

        walked.Should().Equal(whole);
    }

    private static async Task<string> SecondPageCursorAsync(HttpClient client, string ordering)
    {
        var source = EventsApi.NewEvent()["source"]!.ToString()!;
        for (var i = 0; i < 3; i++)
        {
            await client.RaiseAlertAsync("HIGH", source);
        }

        var first = await client.GetJsonAsync($"/api/alerts/?event__source={source}&ordering={ordering}&page_size=2&cursor=");
        var next = new Uri(first.GetProperty("next").GetString()!);
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(next.Query)["cursor"].ToString();
    }
}
