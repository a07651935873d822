using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Events.ListEvents;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>
/// The documented filters, search, orderings and cursor pages stay cheap on a large table: the exact SQL the API runs
/// (captured from EF Core, parameters and all) is run under EXPLAIN ANALYZE. A page's query may not scan alerts or
/// events sequentially, sort more than a few rows, or walk an index throwing away rows with a Filter (a full-index scan
/// by another name). The capped count (<c>LIMIT 10001</c> in a subquery) stops after the cap, so its bound is the rows
/// it examines: a sequential scan that stops after a few ten thousand rows is as cheap as an index there. Every filter
/// and ordering of both lists is read from its spec, so one added later is checked too (a filter without a sample
/// value below fails the test that lists them).
/// </summary>
public sealed class QueryPlanTests(QueryPlanTests.SeededApiFactory factory) : IClassFixture<QueryPlanTests.SeededApiFactory>
{
    /// <summary>Rows a plan may sort, or read and throw away, to answer one page (the data set has 67,000 alerts).</summary>
    private const int RowsBound = 2_000;

    /// <summary>Rows of alerts or events the capped count may examine (the cap of 10,001, at 20 % selectivity or more).</summary>
    private const int CountRowsBound = 50_000;

    private const string DeepCursor = "deep cursor: ";

    // One sample value per filter parameter: a value that matches some rows of the seeded data.
    private static readonly Dictionary<string, string> AlertSamples = new()
    {
        ["status"] = "OPEN",
        ["event__severity"] = "CRITICAL",
        ["event__source"] = "sensor-7",
        ["event__event_type"] = "type-3",
        ["created_at__gte"] = "2026-11-20T00:00:00Z",
        ["created_at__lte"] = "2026-10-02T00:00:00Z",
        ["detection__technique"] = "T1059",
        ["detection__confidence__gte"] = "0.9",
        ["assignee"] = "none",
        ["tags"] = "needle",
        ["sla_breached"] = "true",
        ["rule"] = "7",
    };

    private static readonly Dictionary<string, string> EventSamples = new()
    {
        ["severity"] = "CRITICAL",
        ["source"] = "sensor-7",
        ["event_type"] = "type-3",
        ["occurred_at__gte"] = "2026-11-20T00:00:00Z",
        ["occurred_at__lte"] = "2026-10-02T00:00:00Z",
        ["detection__technique"] = "T1059.001",
        ["detection__confidence__gte"] = "0.9",
    };

    public static TheoryData<string> ListQueries
    {
        get
        {
            var queries = new TheoryData<string>
            {
                "/api/alerts/",
                "/api/alerts/?status=OPEN,ACKNOWLEDGED&ordering=-updated_at",
                "/api/alerts/?event__severity=CRITICAL&ordering=-event__severity",
                "/api/alerts/?status=OPEN&event__severity=CRITICAL&search=needle&ordering=-created_at",
                "/api/alerts/?ordering=status&status=IN_PROGRESS",
                "/api/alerts/?assignee=1",
                "/api/alerts/?assignee=me",
                "/api/alerts/?tags=needle,vip&status=OPEN",
                "/api/alerts/?sla_breached=false",
                "/api/alerts/?search=needle",
                "/api/alerts/?search=needle&exact_count=true",
                "/api/events/",
                "/api/events/?source=sensor-7&ordering=-timestamp",
                "/api/events/?occurred_at__gte=2026-11-20T00:00:00Z&ordering=occurred_at",
                "/api/events/?search=needle",
                "/api/events/?detection__confidence__gte=0.9&ordering=-timestamp",
            };
            foreach (var (list, spec, samples) in new[]
            {
                ("/api/alerts/", ListAlertsQuery.Spec.Filters.Select(f => f.Name).ToList(), AlertSamples),
                ("/api/events/", ListEventsQuery.Spec.Filters.Select(f => f.Name).ToList(), EventSamples),
            })
            {
                foreach (var filter in spec.Where(samples.ContainsKey))
                {
                    var query = $"{list}?{filter}={samples[filter]}";
                    if (!KnownGapQueries.Contains(query))
                    {
                        queries.Add(query);
                    }
                }
            }

            foreach (var (list, orderings) in new[]
            {
                ("/api/alerts/", ListAlertsQuery.Spec.Orderings),
                ("/api/events/", ListEventsQuery.Spec.Orderings),
            })
            {
                foreach (var ordering in orderings.SelectMany(o => new[] { o, "-" + o }))
                {
                    queries.Add($"{list}?ordering={ordering}");

                    // Known gap: a deep cursor in ordering=occurrences sits among thousands of ties (most alerts hold
                    // one event) and the one-OR keyset predicate filters through them; the two-range read the
                    // status and severity orderings use is not applied to two-key orderings yet.
                    if (ordering.TrimStart('-') != "occurrences")
                    {
                        queries.Add($"{DeepCursor}{list}?ordering={ordering}");
                    }
                }
            }

            return queries;
        }
    }

    [Fact]
    public void Every_filter_of_both_lists_has_a_sample_value_here()
    {
        ListAlertsQuery.Spec.Filters.Select(f => f.Name).Should().BeSubsetOf(AlertSamples.Keys);
        ListEventsQuery.Spec.Filters.Select(f => f.Name).Should().BeSubsetOf(EventSamples.Keys);
    }

    [Theory]
    [MemberData(nameof(ListQueries))]
    public async Task No_documented_list_query_scans_sorts_or_filters_its_way_through_a_large_table(string query)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var uri = query;
        if (query.StartsWith(DeepCursor, StringComparison.Ordinal))
        {
            // The cursor that the deepest page by number links to: 10,000 rows into the list.
            var list = query[DeepCursor.Length..];
            var deepest = await analyst.GetJsonAsync($"{list}&page=100&page_size=100");
            var next = deepest.GetProperty("next").GetString();
            next.Should().Contain("cursor=");
            uri = new Uri(next!).PathAndQuery;
        }

        factory.Captured.Clear();
        await analyst.GetJsonAsync(uri);

        var statements = factory.Captured.Where(c => c.Text.Contains("FROM events", StringComparison.Ordinal)
            || c.Text.Contains("FROM alerts", StringComparison.Ordinal)).ToList();
        statements.Should().NotBeEmpty();
        foreach (var statement in statements)
        {
            var (plan, text) = await factory.ExplainAnalyzeAsync(statement);
            var because = $"{uri} ran{Environment.NewLine}{statement.Text}{Environment.NewLine}{text}";
            (IsCount(statement) ? CountProblems(plan) : PlanProblems(plan)).Should().BeEmpty(because);
        }
    }

    /// <summary>
    /// Known gaps, kept visible rather than left out: PostgreSQL walks the newest-first index and filters. sla_breached
    /// with a second filter (breach is an OR of four arms, two depending on the time of the query): about 6,000 rows
    /// thrown away on this data set. occurred_at__lte with the default ordering (-timestamp): the filter is on one
    /// column and the order on another, and the planner cannot know that old occurrences are also old receipts, so it
    /// reads the whole timestamp index (about 196,000 rows here). Both still pass the weaker check of old (no
    /// sequential scan); ordering by the filtered column (ordering=-occurred_at) is the cheap form of the second.
    /// </summary>
    public static TheoryData<string> KnownGaps
    {
        get
        {
            var gaps = new TheoryData<string>();
            foreach (var query in KnownGapQueries)
            {
                gaps.Add(query);
            }

            return gaps;
        }
    }

    private static readonly string[] KnownGapQueries =
    [
        "/api/alerts/?sla_breached=true&event__severity=CRITICAL",
        "/api/events/?occurred_at__lte=2026-10-02T00:00:00Z",
    ];

    [Theory]
    [MemberData(nameof(KnownGaps))]
    public async Task Known_gaps_filter_through_an_index_but_scan_no_large_table_sequentially(string uri)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        factory.Captured.Clear();

        await analyst.GetJsonAsync(uri);

        foreach (var statement in factory.Captured.Where(c => c.Text.Contains("FROM alerts", StringComparison.Ordinal)
            || c.Text.Contains("FROM events", StringComparison.Ordinal)))
        {
            var (plan, text) = await factory.ExplainAnalyzeAsync(statement);
            (IsCount(statement) ? CountProblems(plan) : PlanProblems(plan)).Should().NotContain(p => p.StartsWith("Seq Scan", StringComparison.Ordinal), text);
        }
    }

    [Fact]
    public void The_plan_check_catches_a_sequential_scan_a_large_sort_and_an_index_walk_that_filters()
    {
        // The checks themselves must be able to fail: plans as PostgreSQL writes them for the bad shapes.
        using var seq = JsonDocument.Parse("""{"Node Type":"Seq Scan","Relation Name":"alerts","Actual Rows":10,"Actual Loops":1}""");
        using var sort = JsonDocument.Parse("""{"Node Type":"Limit","Plans":[{"Node Type":"Sort","Actual Rows":10,"Actual Loops":1,"Plans":[{"Node Type":"Bitmap Heap Scan","Relation Name":"alerts","Actual Rows":40000,"Actual Loops":1}]}]}""");
        using var walk = JsonDocument.Parse("""{"Node Type":"Index Scan","Relation Name":"alerts","Index Name":"ix_alerts_created_at","Filter":"(status = 1)","Rows Removed by Filter":50000,"Actual Rows":10,"Actual Loops":1}""");
        using var fine = JsonDocument.Parse("""{"Node Type":"Limit","Plans":[{"Node Type":"Incremental Sort","Actual Rows":11,"Actual Loops":1,"Plans":[{"Node Type":"Index Scan","Relation Name":"alerts","Index Cond":"(created_at <= $1)","Filter":"(id < $2)","Rows Removed by Filter":1,"Actual Rows":12,"Actual Loops":1}]}]}""");

        PlanProblems(seq.RootElement).Should().ContainSingle().Which.Should().Contain("Seq Scan");
        PlanProblems(sort.RootElement).Should().ContainSingle().Which.Should().Contain("Sort");
        PlanProblems(walk.RootElement).Should().ContainSingle().Which.Should().Contain("Filter");
        PlanProblems(fine.RootElement).Should().BeEmpty();

        // The capped count: a scan that stops after the cap is fine, one that reads on through the table is not.
        using var stops = JsonDocument.Parse("""{"Node Type":"Aggregate","Plans":[{"Node Type":"Limit","Plans":[{"Node Type":"Seq Scan","Relation Name":"events","Filter":"(severity = 4)","Rows Removed by Filter":30002,"Actual Rows":10001,"Actual Loops":1}]}]}""");
        using var readsOn = JsonDocument.Parse("""{"Node Type":"Aggregate","Plans":[{"Node Type":"Limit","Plans":[{"Node Type":"Index Scan","Relation Name":"alerts","Filter":"(status = 1)","Rows Removed by Filter":900000,"Actual Rows":10001,"Actual Loops":1}]}]}""");
        CountProblems(stops.RootElement).Should().BeEmpty();
        CountProblems(readsOn.RootElement).Should().ContainSingle().Which.Should().Contain("examined");
    }

    private static bool IsCount(CapturedCommand statement) => statement.Text.Contains("count(*)", StringComparison.Ordinal);

    // A capped count: no large sort, and at most CountRowsBound rows of alerts or events examined (read or thrown away).
    private static List<string> CountProblems(JsonElement plan)
    {
        var problems = PlanProblems(plan).Where(p => p.Contains("Sort", StringComparison.Ordinal)).ToList();
        var examined = RowsExamined(plan);
        if (examined > CountRowsBound)
        {
            problems.Add($"the count examined {examined:N0} rows of alerts or events");
        }

        return problems;
    }

    // Rows of alerts or events that scans of the plan returned or threw away.
    private static double RowsExamined(JsonElement node)
    {
        var relation = node.TryGetProperty("Relation Name", out var r) ? r.GetString() : null;
        var loops = node.TryGetProperty("Actual Loops", out var l) ? Math.Max(1, l.GetDouble()) : 1;
        var rows = 0.0;
        if (IsLarge(relation))
        {
            rows += (node.GetProperty("Actual Rows").GetDouble()
                + (node.TryGetProperty("Rows Removed by Filter", out var f) ? f.GetDouble() : 0)
                + (node.TryGetProperty("Rows Removed by Index Recheck", out var ri) ? ri.GetDouble() : 0)) * loops;
        }

        if (node.TryGetProperty("Plans", out var children))
        {
            rows += children.EnumerateArray().Sum(RowsExamined);
        }

        return rows;
    }

    // events is partitioned by month: a scan names the partition (events_y2026m10, events_default), and is checked as a
    // scan of events. The planner may read an empty partition (a month ahead, the DEFAULT one) sequentially at no cost,
    // so a sequential scan of a partition counts only when it read or threw away rows.
    private static bool IsLarge(string? relation) => relation is "alerts" or "events" || IsEventPartition(relation);

    private static bool IsEventPartition(string? relation) =>
        relation is not null && relation.StartsWith("events_", StringComparison.Ordinal) && relation is not "events_id_seq";

    // What is wrong with a plan (EXPLAIN (ANALYZE, FORMAT JSON)'s "Plan" object), one line per offending node.
    private static List<string> PlanProblems(JsonElement node)
    {
        var problems = new List<string>();
        var type = node.GetProperty("Node Type").GetString()!;
        var relation = node.TryGetProperty("Relation Name", out var r) ? r.GetString() : null;
        var loops = node.TryGetProperty("Actual Loops", out var l) ? Math.Max(1, l.GetDouble()) : 1;
        var large = IsLarge(relation);
        if (type == "Seq Scan" && large && (!IsEventPartition(relation) || RowsExamined(node) > 0))
        {
            problems.Add($"Seq Scan on {relation}");
        }

        if (type is "Sort" or "Incremental Sort" && node.TryGetProperty("Plans", out var input))
        {
            var sorted = input.EnumerateArray().Sum(c => c.GetProperty("Actual Rows").GetDouble() * (c.TryGetProperty("Actual Loops", out var cl) ? cl.GetDouble() : 1));
            if (sorted > RowsBound)
            {
                problems.Add($"{type} of {sorted:N0} rows");
            }
        }

        var removed = (node.TryGetProperty("Rows Removed by Filter", out var f) ? f.GetDouble() : 0)
            + (node.TryGetProperty("Rows Removed by Index Recheck", out var ri) ? ri.GetDouble() : 0);
        if (large && removed * loops > RowsBound)
        {
            var full = type.StartsWith("Index", StringComparison.Ordinal) && !node.TryGetProperty("Index Cond", out _) ? " (a full-index scan)" : string.Empty;
            problems.Add($"{type} on {relation}{full} threw away {removed * loops:N0} rows with a Filter or recheck");
        }

        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                problems.AddRange(PlanProblems(child));
            }
        }

        return problems;
    }

    [Fact]
    public async Task Tags_filter_is_array_containment_served_by_the_gin_index()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        factory.Captured.Clear();

        await analyst.GetJsonAsync("/api/alerts/?tags=needle,vip");

        var count = factory.Captured.First(c => c.Text.Contains("count(*)", StringComparison.Ordinal));
        count.Text.Should().ContainAny("@>", "<@");  // "given <@ tags" is the same containment, GIN-indexable either way
        (await factory.ExplainAsync(count)).Should().Contain("ix_alerts_tags");
    }

    public sealed record CapturedCommand(string Text, IReadOnlyList<NpgsqlParameter> Parameters);

    /// <summary>An API on a database seeded with 200,000 events (a third of them severe, so ~67,000 alerts), analysed.</summary>
    public sealed class SeededApiFactory : ApiFactory, IAsyncLifetime
    {
        public ConcurrentQueue<CapturedCommand> Captured { get; } = new();

        public new async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var seed = new NpgsqlCommand(
                """
                SELECT tp_ensure_event_partitions('2026-10-01', '2026-11-30');
                INSERT INTO events (source, event_type, severity, description, occurred_at, timestamp)
                SELECT 'sensor-' || (i % 50), 'type-' || (i % 40), 1 + (i % 4),
                       CASE WHEN i % 5000 = 0 THEN 'needle in the haystack ' || i ELSE 'routine traffic sample ' || md5(i::text) END,
                       timestamptz '2026-10-01' + i * interval '20 seconds', timestamptz '2026-10-01' + i * interval '20 seconds'
                FROM generate_series(1, 200000) AS i;
                INSERT INTO alerts (event_id, status, severity, source, event_type, description, created_at, updated_at,
                                    occurrences, first_seen_at, last_seen_at)
                SELECT id, CASE WHEN id % 20 = 0 THEN 1 WHEN id % 20 = 1 THEN 2 WHEN id % 20 = 2 THEN 3 ELSE 4 END,
                       severity, source, event_type, description, timestamp, timestamp,
                       -- grouping: most alerts hold one event, some a few, a handful thousands
                       CASE WHEN id % 1000 = 0 THEN 1000 + id % 997 WHEN id % 10 = 0 THEN 2 + id % 13 ELSE 1 END,
                       timestamp, timestamp + (id % 360) * interval '1 minute'
                FROM events WHERE severity >= 3;
                -- Triage: most alerts are assigned (the unassigned queue is the small part), a few are tagged. Alerts
                -- raised since the SLA release (the last days) have due times (CRITICAL 15 min / 4 h, HIGH 1 h / 24 h),
                -- older ones none, as after the migration; most steps happened in time, a few late.
                INSERT INTO users (username, normalized_username, email, normalized_email, password_hash, role, is_active,
                                   date_joined, awaiting_approval)
                VALUES ('plan', 'plan', 'plan@example.org', 'plan@example.org', 'x', 1, true, now(), false);
                UPDATE alerts SET
                    assignee_id = CASE WHEN id % 25 = 0 THEN NULL ELSE (SELECT min(id) FROM users) END,
                    tags = CASE WHEN id % 3000 = 0 THEN ARRAY['needle', 'vip'] WHEN id % 7 = 0 THEN ARRAY['routine'] ELSE '{}' END,
                    first_acknowledged_at = CASE WHEN status > 1 THEN created_at + CASE WHEN id % 500 = 3 THEN interval '2 hours' ELSE interval '5 minutes' END END,
                    closed_at = CASE WHEN status > 3 THEN created_at + CASE WHEN id % 500 = 4 THEN interval '2 days' ELSE interval '30 minutes' END END;
                UPDATE alerts SET
                    ack_due_at = created_at + CASE WHEN severity = 4 THEN interval '15 minutes' ELSE interval '1 hour' END,
                    resolve_due_at = created_at + CASE WHEN severity = 4 THEN interval '4 hours' ELSE interval '24 hours' END
                WHERE created_at >= timestamptz '2026-11-12';
                UPDATE alerts SET acknowledged_late = first_acknowledged_at > ack_due_at, closed_late = closed_at > resolve_due_at
                WHERE ack_due_at IS NOT NULL AND (first_acknowledged_at > ack_due_at OR closed_at > resolve_due_at);
                """,
                connection);
            seed.CommandTimeout = 300;
            await seed.ExecuteNonQueryAsync();

            // VACUUM runs alone (not in a multi-statement batch); it also fills the visibility map for index-only scans.
            foreach (var table in new[] { "events", "alerts" })
            {
                await using var vacuum = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection);
                await vacuum.ExecuteNonQueryAsync();
            }
        }

        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.ConfigureTestServices(services =>
                services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(new CaptureCommands(Captured))));

        /// <summary>The plan as PostgreSQL ran it (EXPLAIN ANALYZE, JSON), and the same as text for a failure's message.</summary>
        public async Task<(JsonElement Plan, string Text)> ExplainAnalyzeAsync(CapturedCommand command)
        {
            var json = await ExplainAsync(command, "EXPLAIN (ANALYZE, FORMAT JSON) ");
            using var document = JsonDocument.Parse(json);
            return (document.RootElement[0].GetProperty("Plan").Clone(), await ExplainAsync(command, "EXPLAIN (ANALYZE) "));
        }

        public async Task<string> ExplainAsync(CapturedCommand command, string explainWith = "EXPLAIN ")
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var explain = new NpgsqlCommand(explainWith + command.Text, connection);
            foreach (var parameter in command.Parameters)
            {
                explain.Parameters.Add(parameter.Clone());
            }

            var lines = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }

            return string.Join(Environment.NewLine, lines);
        }
    }

    private sealed class CaptureCommands(ConcurrentQueue<CapturedCommand> captured) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command,
            CommandEventData eventData,
            InterceptionResult<DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            captured.Enqueue(new CapturedCommand(
                command.CommandText,
                command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToList()));
            return ValueTask.FromResult(result);
        }
    }
}
