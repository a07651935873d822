using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ThreatPlatform.Bench;

/// <summary>
/// (13), alone with BENCH_ONLY=rules: batch ingest with 0, 100 and 1,000 enabled single-event Sigma rules (a mix of contains, startswith,
/// endswith, re and cidr on metadata and event fields, as public rule sets use them) and with 10 correlation rules, each
/// as a share of the no-rule rate measured in the same run. Kept in its own file so changes to the other sections merge
/// cleanly; bench/results/rules.json.
/// </summary>
internal static class RuleBench
{
    public static async Task<int> RunAloneAsync(Settings settings)
    {
        var rows = new List<string[]>();
        var measured = await MeasureAsync(settings, rows);
        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores, PostgreSQL {measured["server_version"]} (fsync={measured["fsync"]})");
        ListBench.PrintTable(["#", "measurement", "result", "share", "target"], rows);
        var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!, "rules.json");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, measured.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"Written to {output}");
        return 0;
    }

    /// <summary>(13) on a database and an API of its own, so the rules saved here touch no other section.</summary>
    public static async Task<JsonObject> MeasureAsync(Settings settings, List<string[]> rows)
    {
        await using var database = new Database(settings);
        await database.CreateAsync();
        Step($"database {database.Name} created; starting the API (Release, Production, logging at Warning)");
        await using var api = await ApiProcess.StartAsync(settings, database.ConnectionString);
        var token = await api.SignInAsync(settings, database.ConnectionString);
        using var http = api.Client("Bearer", token);
        var bodies = Bodies(settings);

        var results = new JsonArray();
        double? baseline = null;
        (string Name, int Rules, int Correlations, double Target)[] setups =
        [
            ("no rules", 0, 0, 1.0),
            ("100 single-event rules", 100, 0, 0.8),
            ("1,000 single-event rules", 1_000, 0, 0.5),
            ("10 correlation rules", 0, 10, 0.7),
        ];
        foreach (var setup in setups)
        {
            await database.ExecuteAsync("DELETE FROM detection_rules");
            Step($"(13) {setup.Name}: saving the rules through the API");
            for (var i = 0; i < setup.Rules; i++)
            {
                await CreateRuleAsync(http, SingleEventRule(i));
            }

            for (var i = 0; i < setup.Correlations; i++)
            {
                await CreateRuleAsync(http, CorrelationRule(i));
            }

            // Warm-up (compiles the set in the API, JIT), then empty tables again.
            await BatchLoad.PostAsync(http, bodies[0]);
            await database.ResetAsync();
            await database.ExecuteAsync("TRUNCATE rule_correlation_entries");
            Step($"(13) {setup.Name}: {settings.Events:N0} events in batches of {settings.BatchSize:N0}, one client");
            var started = Stopwatch.GetTimestamp();
            long accepted = 0;
            foreach (var body in bodies)
            {
                accepted += await BatchLoad.PostAsync(http, body);
            }

            var rate = accepted / Stopwatch.GetElapsedTime(started).TotalSeconds;
            var alerts = long.Parse(await database.TextAsync("SELECT count(*)::text FROM alerts WHERE rule_id IS NOT NULL"), CultureInfo.InvariantCulture);
            baseline ??= rate;
            var share = rate / baseline.Value;
            results.Add(new JsonObject
            {
                ["setup"] = setup.Name,
                ["rules"] = setup.Rules,
                ["correlations"] = setup.Correlations,
                ["events_per_second"] = Math.Round(rate),
                ["share_of_no_rules"] = Math.Round(share, 3),
                ["rule_alerts"] = alerts,
            });
            rows.Add(["13", $"batch ingest, {setup.Name}", $"{rate:N0} events/s", $"{share:P0} of no rules ({alerts:N0} rule alerts)",
                setup.Rules + setup.Correlations == 0 ? "baseline" : $"≥ {setup.Target:P0}: {(share >= setup.Target ? "met" : "MISSED")}"]);
        }

        return new JsonObject
        {
            ["events"] = settings.Events,
            ["batch_size"] = settings.BatchSize,
            ["cores"] = Environment.ProcessorCount,
            ["server_version"] = await database.TextAsync("SHOW server_version"),
            ["fsync"] = await database.TextAsync("SHOW fsync"),
            ["results"] = results,
            ["finished_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// Rule i of a realistic mix: most rules match nothing in the bench's events (as in production, where a rule set
    /// fires on a small share of events); every tenth matches a few.
    /// </summary>
    internal static string SingleEventRule(int i)
    {
        var selection = (i % 5) switch
        {
            0 => $"description|contains: 'beacon{i} '",
            1 => $"sensor_version|startswith: '9.{i}'",
            2 => $"description|endswith: 'rule {i}x'",
            3 => $"description|re: '^port scan from 10\\.{i % 250}\\.[0-9]+\\.[0-9]+: zz{i}'",
            _ => $"source_ip|cidr: '172.{i % 250}.0.0/16'",
        };
        var matchesSome = i % 10 == 0 ? $"\n    hit:\n        description|endswith: 'rule {i}'\n    condition: (selection and not filter) or hit" : "\n    condition: selection and not filter";
        return $"""
            title: Bench rule {i}
            level: {(i % 3 == 0 ? "medium" : "low")}
            tags: [attack.t{1000 + (i % 600)}]
            detection:
                selection:
                    {selection}
                filter:
                    event_type: 'benign_{i}'{matchesSome}
            """;
    }

    /// <summary>Correlation i: many events of one type from one /8 address within five minutes.</summary>
    internal static string CorrelationRule(int i) => $"""
        title: Bench correlation {i}
        level: high
        correlation:
            type: event_count
            rules: [base_{i}]
            group-by: [source_ip]
            timespan: 5m
            condition:
                gte: 50
        ---
        name: base_{i}
        title: Bench correlation base {i}
        detection:
            selection:
                event_type: '{EventTypeOf(i)}'
            condition: selection
        """;

    private static string EventTypeOf(int i) => new[] { "port_scan", "brute_force", "malware_detected", "phishing_link", "sql_injection", "xss_attempt", "dns_tunnel", "c2_beacon", "privilege_escalation", "lateral_movement" }[i % 10];

    private static List<byte[]> Bodies(Settings settings)
    {
        var bodies = new List<byte[]>();
        for (var start = 0; start < settings.Events; start += settings.BatchSize)
        {
            var json = new StringBuilder(settings.BatchSize * 600).Append('[');
            for (var i = start; i < Math.Min(settings.Events, start + settings.BatchSize); i++)
            {
                if (i > start)
                {
                    json.Append(',');
                }

                Data.WriteJson(json, Data.Event(i, "rules"));
            }

            bodies.Add(Encoding.UTF8.GetBytes(json.Append(']').ToString()));
        }

        return bodies;
    }

    private static async Task CreateRuleAsync(HttpClient http, string sigma)
    {
        using var response = await http.PostAsJsonAsync(new Uri("/api/rules/", UriKind.Relative), new { sigma });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Saving a rule answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static void Step(string text) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

}
