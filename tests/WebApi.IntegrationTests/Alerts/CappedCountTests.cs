using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>
/// A filter seen matching more than 10,000 rows answers "10,000, not exact" for Lists:CappedCountSeconds (5 s here)
/// without counting again; an exact count is always counted. The clock is the test's, so "within 5 s" is exact.
/// </summary>
public sealed class CappedCountTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    [Fact]
    public async Task A_capped_count_is_kept_for_a_few_seconds_per_filter_and_an_exact_count_is_always_counted()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = await factory.SeedAlertsAsync(10_050);
        var list = $"/api/alerts/?event__source={source}";

        var before = await analyst.GetJsonAsync(list);
        await DeleteOldestAsync(source, 100);
        var kept = await analyst.GetJsonAsync(list + "&ordering=-updated_at&page=2");
        var exact = await analyst.GetJsonAsync(list + "&exact_count=true");
        var otherFilter = await analyst.GetJsonAsync(list + "&status=OPEN");
        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var after = await analyst.GetJsonAsync(list);

        before.GetProperty("count").GetInt64().Should().Be(10_000);
        before.GetProperty("count_is_exact").GetBoolean().Should().BeFalse();
        kept.GetProperty("count").GetInt64().Should().Be(10_000, "the same filter, another ordering and page, within 5 s");
        kept.GetProperty("count_is_exact").GetBoolean().Should().BeFalse();
        exact.GetProperty("count").GetInt64().Should().Be(9_950);
        otherFilter.GetProperty("count").GetInt64().Should().Be(9_950, "another filter is counted");
        after.GetProperty("count").GetInt64().Should().Be(9_950, "after 5 s the filter is counted again");
        after.TryGetProperty("count_is_exact", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Events_lists_keep_a_capped_count_by_their_own_key()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = await factory.SeedAlertsAsync(10_050);

        var events = await analyst.GetJsonAsync($"/api/events/?source={source}");
        var alerts = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&search=seeded");
        await DeleteOldestEventsAsync(source, 100);
        await DeleteOldestAsync(source, 100);
        var eventsAgain = await analyst.GetJsonAsync($"/api/events/?source={source}&page=2");
        var alertsAgain = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&search=seeded&page=2");
        var eventsExact = await analyst.GetJsonAsync($"/api/events/?source={source}&exact_count=true");
        var otherSearch = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&search=seede");

        events.GetProperty("count").GetInt64().Should().Be(10_000);
        events.GetProperty("count_is_exact").GetBoolean().Should().BeFalse();
        alerts.GetProperty("count_is_exact").GetBoolean().Should().BeFalse();
        eventsExact.GetProperty("count").GetInt64().Should().Be(9_950, "the rows did drop under the cap");
        eventsAgain.GetProperty("count").GetInt64().Should().Be(10_000, "the events list kept its capped count, within 5 s");
        eventsAgain.GetProperty("count_is_exact").GetBoolean().Should().BeFalse();
        alertsAgain.GetProperty("count").GetInt64().Should().Be(10_000, "the alerts list kept its own");
        alertsAgain.GetProperty("count_is_exact").GetBoolean().Should().BeFalse();
        otherSearch.GetProperty("count").GetInt64().Should().Be(9_950, "a different search is a different key");
    }

    [Fact]
    public void Keys_run_out_with_one_recount_at_a_time_and_none_are_kept_with_the_setting_at_zero()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counts = new CappedCounts(new ListOptions { CappedCountSeconds = 5 }, clock);
        var off = new CappedCounts(new ListOptions { CappedCountSeconds = 0 }, clock);

        counts.Record("a", capped: true);
        off.Record("a", capped: true);

        counts.IsKnownCapped("a").Should().BeTrue();
        counts.IsKnownCapped("b").Should().BeFalse();
        off.IsKnownCapped("a").Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(4.9));
        counts.IsKnownCapped("a").Should().BeTrue();
        clock.Advance(TimeSpan.FromSeconds(0.1));
        counts.IsKnownCapped("a").Should().BeFalse("run out: this caller counts again");
        counts.IsKnownCapped("a").Should().BeTrue("the others keep the capped answer while it counts");
        counts.Record("a", capped: false);
        counts.IsKnownCapped("a").Should().BeFalse("the recount found it under the cap");
    }

    [Fact]
    public void A_full_table_of_keys_makes_room_and_keeps_the_newest()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counts = new CappedCounts(new ListOptions { CappedCountSeconds = 5 }, clock);
        for (var i = 0; i < CappedCounts.MaxEntries; i++)
        {
            counts.Record("k" + i, capped: true);
        }

        counts.Record("newest", capped: true);

        counts.IsKnownCapped("newest").Should().BeTrue();
        counts.IsKnownCapped("k0").Should().BeFalse("a full table with nothing expired was emptied");
    }

    private Task<int> DeleteOldestEventsAsync(string source, int count) => factory.WithDbAsync(db => db.Database.ExecuteSqlAsync(
        $"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE source = {source} ORDER BY id LIMIT {count})"));

    private Task<int> DeleteOldestAsync(string source, int count) => factory.WithDbAsync(db => db.Database.ExecuteSqlAsync(
        $"DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE source = {source} ORDER BY id LIMIT {count})"));
}
