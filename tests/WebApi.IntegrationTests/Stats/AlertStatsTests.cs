using System.Globalization;
using System.Text.Json;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Stats;

/// <summary>
/// Hand-computed figures over 2026-01-01 00:00–06:00 UTC. The alerts are raised through the API, then moved to known
/// times and statuses with SQL, with their history written to match:
/// <code>
/// a1 00:10 HIGH     fw-a  ACKNOWLEDGED    ack +60 s
/// a2 00:20 CRITICAL fw-a  RESOLVED        ack +120 s, resolved +600 s, reopened +700 s, resolved again +900 s
/// a3 02:05 HIGH     fw-b  FALSE_POSITIVE  false positive +300 s (never acknowledged)
/// a4 02:30 CRITICAL ids-c OPEN
/// a5 05:59 HIGH     fw-a  ACKNOWLEDGED    ack +180 s
/// a6 06:00 HIGH     fw-b  (at `to`: outside)   a7 2025-12-31 23:59 CRITICAL fw-b (before `from`: outside)
/// </code>
/// MTTA over 60, 120, 180 s: median 120, p90 120 + 0.8 × 60 = 168. MTTR over 300, 600 s (a2's first close): median
/// 450, p90 300 + 0.9 × 300 = 570.
/// SLA columns as raising and those moves set them (HIGH 1 h / 24 h, CRITICAL 15 min / 4 h), read today: a1 and a5 were
/// acknowledged in time but are still not closed a day after: breached; a4 was never acknowledged: breached; a2 and a3
/// were acknowledged and closed in time. sla_breached = 3.
/// </summary>
public sealed class AlertStatsTests(ApiFactory factory) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private const string Window = "from=2026-01-01T00:00:00Z&to=2026-01-01T06:00:00Z";
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SemaphoreSlim Seeded = new(1, 1);
    private static bool _seeded;

    private HttpClient _analyst = null!;

    public async Task InitializeAsync()
    {
        _analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        await Seeded.WaitAsync();
        try
        {
            if (!_seeded)
            {
                await SeedAsync();
                _seeded = true;
            }
        }
        finally
        {
            Seeded.Release();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Counts_by_status_and_severity_name_every_value_with_zeros_included()
    {
        var stats = await _analyst.GetJsonAsync($"/api/stats/alerts/?{Window}");

        Figures(stats.GetProperty("by_status")).Should().Equal(new Dictionary<string, long>
        {
            ["OPEN"] = 1, ["ACKNOWLEDGED"] = 2, ["IN_PROGRESS"] = 0, ["RESOLVED"] = 1, ["FALSE_POSITIVE"] = 1,
        });
        Figures(stats.GetProperty("by_severity")).Should().Equal(new Dictionary<string, long>
        {
            ["LOW"] = 0, ["MEDIUM"] = 0, ["HIGH"] = 3, ["CRITICAL"] = 2,
        });
        stats.GetProperty("sla_breached").GetInt64().Should().Be(3);
    }

    [Fact]
    public async Task Over_time_has_every_hour_of_the_window_with_zeros_for_empty_hours()
    {
        var stats = await _analyst.GetJsonAsync($"/api/stats/alerts/?{Window}&bucket=hour");

        stats.GetProperty("bucket").GetString().Should().Be("HOUR");
        Buckets(stats).Should().Equal(
            ("2026-01-01T00:00:00Z", 2), ("2026-01-01T01:00:00Z", 0), ("2026-01-01T02:00:00Z", 2),
            ("2026-01-01T03:00:00Z", 0), ("2026-01-01T04:00:00Z", 0), ("2026-01-01T05:00:00Z", 1));
    }

    [Fact]
    public async Task Day_buckets_start_at_midnight_UTC_and_cover_a_window_that_starts_mid_day()
    {
        var stats = await _analyst.GetJsonAsync("/api/stats/alerts/?from=2025-12-31T12:00:00Z&to=2026-01-02T00:00:00Z&bucket=DAY");

        Buckets(stats).Should().Equal(("2025-12-31T00:00:00Z", 1), ("2026-01-01T00:00:00Z", 6));
    }

    [Fact]
    public async Task The_bucket_defaults_to_an_hour_up_to_two_days_and_to_a_day_beyond()
    {
        var twoDays = await _analyst.GetJsonAsync("/api/stats/alerts/?from=2026-01-01&to=2026-01-03");
        var longer = await _analyst.GetJsonAsync("/api/stats/alerts/?from=2026-01-01&to=2026-01-03T00:00:01Z");

        twoDays.GetProperty("bucket").GetString().Should().Be("HOUR");
        twoDays.GetProperty("over_time").GetArrayLength().Should().Be(48);
        longer.GetProperty("bucket").GetString().Should().Be("DAY");
        longer.GetProperty("over_time").GetArrayLength().Should().Be(3);
    }

    [Fact]
    public async Task Without_bounds_the_window_is_the_last_seven_days_in_days()
    {
        var stats = await _analyst.GetJsonAsync("/api/stats/alerts/");

        var from = DateTimeOffset.Parse(stats.GetProperty("from").GetString()!, CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(stats.GetProperty("to").GetString()!, CultureInfo.InvariantCulture);
        (to - from).Should().Be(TimeSpan.FromDays(7));
        to.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        stats.GetProperty("bucket").GetString().Should().Be("DAY");
        stats.GetProperty("over_time").GetArrayLength().Should().BeInRange(7, 8);
    }

    [Fact]
    public async Task Top_sources_are_ordered_by_count_then_name()
    {
        var stats = await _analyst.GetJsonAsync($"/api/stats/alerts/?{Window}");

        stats.GetProperty("top_sources").EnumerateArray()
            .Select(s => (s.GetProperty("source").GetString(), s.GetProperty("count").GetInt64()))
            .Should().Equal((Source("fw-a"), 3L), (Source("fw-b"), 1L), (Source("ids-c"), 1L));
    }

    [Fact]
    public async Task MTTA_and_MTTR_are_the_median_and_p90_of_the_first_acknowledgement_and_the_first_close()
    {
        var stats = await _analyst.GetJsonAsync($"/api/stats/alerts/?{Window}");

        Percentiles(stats.GetProperty("mtta_seconds")).Should().Be((120, 168));
        Percentiles(stats.GetProperty("mttr_seconds")).Should().Be((450, 570));
    }

    [Fact]
    public async Task A_window_without_alerts_has_zeros_and_null_durations()
    {
        var stats = await _analyst.GetJsonAsync("/api/stats/alerts/?from=2020-01-01&to=2020-01-02");

        Figures(stats.GetProperty("by_status")).Values.Should().OnlyContain(n => n == 0);
        Buckets(stats).Should().HaveCount(24).And.OnlyContain(b => b.Count == 0);
        stats.GetProperty("top_sources").GetArrayLength().Should().Be(0);
        stats.GetProperty("mtta_seconds").GetProperty("median").ValueKind.Should().Be(JsonValueKind.Null);
        stats.GetProperty("mttr_seconds").GetProperty("p90").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Bad_parameters_are_one_400_naming_each()
    {
        var response = await _analyst.GetAsync(new Uri("/api/stats/alerts/?from=soon&to=2026-13-01&bucket=week", UriKind.Relative));

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().BeEquivalentTo("from", "to", "bucket");
    }

    [Fact]
    public async Task A_window_that_ends_before_it_starts_or_spans_more_than_366_days_is_a_400()
    {
        var backwards = await _analyst.GetAsync(new Uri("/api/stats/alerts/?from=2026-01-02&to=2026-01-01", UriKind.Relative));
        var tooLong = await _analyst.GetAsync(new Uri("/api/stats/alerts/?from=2025-01-01&to=2026-01-03", UriKind.Relative));
        var longest = await _analyst.GetAsync(new Uri("/api/stats/alerts/?from=2025-01-01&to=2026-01-02", UriKind.Relative));

        (await backwards.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("from");
        (await tooLong.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("from");
        ((int)longest.StatusCode).Should().Be(200);
    }

    [Fact]
    public async Task Stats_need_a_token()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/api/stats/alerts/", UriKind.Relative));

        ((int)response.StatusCode).Should().Be(401);
    }

    // The class's database is its own: the sources need no uniquifying.
    private static string Source(string name) => name;

    private async Task SeedAsync()
    {
        var admin = await factory.SeedUserAsync(UserRole.Admin);
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var alerts = new (string Severity, string Source, TimeSpan At, short Status)[]
        {
            ("HIGH", "fw-a", TimeSpan.FromMinutes(10), 2),
            ("CRITICAL", "fw-a", TimeSpan.FromMinutes(20), 4),
            ("HIGH", "fw-b", new TimeSpan(2, 5, 0), 5),
            ("CRITICAL", "ids-c", new TimeSpan(2, 30, 0), 1),
            ("HIGH", "fw-a", new TimeSpan(5, 59, 0), 2),
            ("HIGH", "fw-b", TimeSpan.FromHours(6), 1),
            ("CRITICAL", "fw-b", TimeSpan.FromMinutes(-1), 1),
        };
        var ids = new List<long>();
        foreach (var (severity, source, _, _) in alerts)
        {
            ids.Add(await client.RaiseAlertAsync(severity, Source(source)));
        }

        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        for (var i = 0; i < alerts.Length; i++)
        {
            await ExecuteAsync(connection, "UPDATE alerts SET created_at = $1, updated_at = $1, status = $2 WHERE id = $3", Day + alerts[i].At, alerts[i].Status, ids[i]);
        }

        // (alert, from, to, seconds after creation)
        var history = new (int Alert, short From, short To, int After)[]
        {
            (0, 1, 2, 60),
            (1, 1, 2, 120), (1, 2, 4, 600), (1, 4, 1, 700), (1, 1, 4, 900),
            (2, 1, 5, 300),
            (4, 1, 2, 180),
        };
        // (alert, ack due, resolve due, first acknowledged, closed), as minutes after creation; null: not yet.
        var sla = new (int Alert, int AckDue, int ResolveDue, double? Acknowledged, double? Closed)[]
        {
            (0, 60, 1440, 1, null),
            (1, 15, 240, 2, 15),
            (2, 60, 1440, 5, 5),
            (3, 15, 240, null, null),
            (4, 60, 1440, 3, null),
        };
        foreach (var (alert, ackDue, resolveDue, acknowledged, closed) in sla)
        {
            var created = Day + alerts[alert].At;
            await ExecuteAsync(
                connection,
                "UPDATE alerts SET ack_due_at = $1, resolve_due_at = $2, first_acknowledged_at = $3, closed_at = $4, acknowledged_late = false, closed_late = false WHERE id = $5",
                created.AddMinutes(ackDue),
                created.AddMinutes(resolveDue),
                acknowledged is { } a ? created.AddMinutes(a) : DBNull.Value,
                closed is { } c ? created.AddMinutes(c) : DBNull.Value,
                ids[alert]);
        }

        foreach (var (alert, from, to, after) in history)
        {
            await ExecuteAsync(
                connection,
                "INSERT INTO alert_history (alert_id, from_status, to_status, changed_by_id, changed_at) VALUES ($1, $2, $3, $4, $5)",
                ids[alert], from, to, admin.Id, Day + alerts[alert].At + TimeSpan.FromSeconds(after));
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync();
    }

    private static Dictionary<string, long> Figures(JsonElement figures) =>
        figures.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    private static List<(string Start, long Count)> Buckets(JsonElement stats) =>
        stats.GetProperty("over_time").EnumerateArray()
            .Select(b => (b.GetProperty("start").GetString()!, b.GetProperty("count").GetInt64()))
            .ToList();

    private static (double Median, double P90) Percentiles(JsonElement figures) =>
        (Math.Round(figures.GetProperty("median").GetDouble(), 3), Math.Round(figures.GetProperty("p90").GetDouble(), 3));
}
