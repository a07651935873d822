using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Rules;

/// <summary>
/// Correlation rules on ingest: counts kept in PostgreSQL, so they span calls, API hosts and restarts, and count each
/// event once when a batch is sent again. Windows are checked at their edges (event times are the events' occurred_at).
/// </summary>
public sealed class CorrelationIngestTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Exactly_n_events_within_the_timespan_raise_one_alert_on_the_event_that_completes_them()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.BruteForceRule(marker, 3, "60s"));

        var answer = await (await admin.PostArrayAsync([
            RulesApi.FailedLogin(marker, T0, externalId: "a"),
            RulesApi.FailedLogin(marker, T0.AddSeconds(30), externalId: "b"),
            RulesApi.FailedLogin(marker, T0.AddSeconds(60), externalId: "c"),
        ])).ShouldBeBatchAnswerAsync();

        answer.AlertsCreated.Should().Be(1);
        var alert = (await admin.AlertsOfRuleAsync(ruleId)).Should().ContainSingle().Subject;
        alert.GetProperty("severity").GetString().Should().Be("CRITICAL");
        alert.GetProperty("rule").GetProperty("technique").GetString().Should().Be("T1110");
        alert.GetProperty("event").GetProperty("external_id").GetString().Should().Be("c");
    }

    [Fact]
    public async Task N_events_spread_over_the_timespan_plus_one_second_raise_nothing()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.BruteForceRule(marker, 3, "60s"));

        await (await admin.PostArrayAsync([
            RulesApi.FailedLogin(marker, T0),
            RulesApi.FailedLogin(marker, T0.AddSeconds(30)),
            RulesApi.FailedLogin(marker, T0.AddSeconds(61)),
        ])).ShouldBeBatchAnswerAsync();

        (await admin.AlertsOfRuleAsync(ruleId)).Should().BeEmpty();
    }

    [Fact]
    public async Task Single_ingest_counts_as_batch_ingest_does()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.BruteForceRule(marker, 3, "60s"));

        await admin.IngestOkAsync(RulesApi.FailedLogin(marker, T0));
        await admin.IngestOkAsync(RulesApi.FailedLogin(marker, T0.AddSeconds(30)));
        await admin.IngestOkAsync(RulesApi.FailedLogin(marker, T0.AddSeconds(61)));
        (await admin.AlertsOfRuleAsync(ruleId)).Should().BeEmpty("the first event is 61 s before the third");
        var third = await admin.IngestOkAsync(RulesApi.FailedLogin(marker, T0.AddSeconds(62)));

        var alert = (await admin.AlertsOfRuleAsync(ruleId)).Should().ContainSingle().Subject;
        third.GetProperty("alert_id").GetInt64().Should().Be(alert.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Addresses_are_counted_apart()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.BruteForceRule(marker, 2, "60s"));

        await (await admin.PostArrayAsync([
            RulesApi.FailedLogin(marker, T0, ip: "198.51.100.1"),
            RulesApi.FailedLogin(marker, T0.AddSeconds(1), ip: "198.51.100.2"),
            RulesApi.FailedLogin(marker, T0.AddSeconds(2), ip: "198.51.100.3"),
        ])).ShouldBeBatchAnswerAsync();

        (await admin.AlertsOfRuleAsync(ruleId)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_retried_batch_counts_each_event_once()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.BruteForceRule(marker, 3, "60s"));
        object[] batch = [RulesApi.FailedLogin(marker, T0, externalId: "r1"), RulesApi.FailedLogin(marker, T0.AddSeconds(1), externalId: "r2")];

        await (await admin.PostArrayAsync(batch)).ShouldBeBatchAnswerAsync();
        var retried = await (await admin.PostArrayAsync(batch)).ShouldBeBatchAnswerAsync();
        retried.Duplicates.Should().Be(2);
        (await admin.AlertsOfRuleAsync(ruleId)).Should().BeEmpty("two events were counted, not four");
        await (await admin.PostArrayAsync([RulesApi.FailedLogin(marker, T0.AddSeconds(2), externalId: "r3")])).ShouldBeBatchAnswerAsync();

        (await admin.AlertsOfRuleAsync(ruleId)).Should().ContainSingle();
    }

    [Fact]
    public async Task Events_through_two_api_hosts_are_counted_together()
    {
        await using var hostB = factory.OnSameDatabase();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var adminOnB = await hostB.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.BruteForceRule(marker, 3, "5m"));

        await admin.IngestOkAsync(RulesApi.FailedLogin(marker, T0));
        await (await adminOnB.PostArrayAsync([RulesApi.FailedLogin(marker, T0.AddSeconds(10))])).ShouldBeBatchAnswerAsync();
        (await admin.AlertsOfRuleAsync(ruleId)).Should().BeEmpty();
        await adminOnB.IngestOkAsync(RulesApi.FailedLogin(marker, T0.AddSeconds(20)));

        (await admin.AlertsOfRuleAsync(ruleId)).Should().ContainSingle();
    }

    [Fact]
    public async Task Counts_survive_an_api_restart()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.BruteForceRule(marker, 3, "5m"));
        await using (var before = factory.OnSameDatabase())
        {
            var client = await before.CreateClientAsAsync(UserRole.Admin);
            await client.IngestOkAsync(RulesApi.FailedLogin(marker, T0));
            await client.IngestOkAsync(RulesApi.FailedLogin(marker, T0.AddSeconds(1)));
        }

        await using var after = factory.OnSameDatabase();
        var restarted = await after.CreateClientAsAsync(UserRole.Admin);
        await restarted.IngestOkAsync(RulesApi.FailedLogin(marker, T0.AddSeconds(2)));

        (await admin.AlertsOfRuleAsync(ruleId)).Should().ContainSingle();
    }

    [Fact]
    public async Task A_value_count_correlation_counts_distinct_users_per_address()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync($"""
            title: Password spraying
            level: high
            detection:
                selection:
                    source: '{marker}'
                    event_type: auth_failure
                timeframe: 10m
                condition: selection | count(user) by source_ip >= 3
            """);
        Dictionary<string, object?> Login(int second, string user)
        {
            var e = RulesApi.FailedLogin(marker, T0.AddSeconds(second));
            e["metadata"] = new Dictionary<string, object> { ["user"] = user };
            return e;
        }

        await (await admin.PostArrayAsync([Login(0, "alice"), Login(1, "alice"), Login(2, "bob")])).ShouldBeBatchAnswerAsync();
        (await admin.AlertsOfRuleAsync(ruleId)).Should().BeEmpty();
        await (await admin.PostArrayAsync([Login(3, "carol")])).ShouldBeBatchAnswerAsync();

        (await admin.AlertsOfRuleAsync(ruleId)).Should().ContainSingle();
    }
}
