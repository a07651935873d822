using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ThreatPlatform.Application.Common.Querying;

namespace ThreatPlatform.Bench;

/// <summary>
/// (7) The lists at scale (issue 13 item 4): the alert and event lists on the seeded 1,000,000 alerts / 1,000,000
/// events at 16 connections, each query a SOC console sends (newest first, status+severity, a broad and a selective
/// search, the caller's queue, a tag, a cursor half a million rows deep). Target: p99 &lt; 50 ms each. Kept apart from
/// Program.cs's sections so changes to the others merge cleanly; `BENCH_ONLY=lists` runs this section alone.
/// </summary>
internal static class ListBench
{
    public const double TargetP99Ms = 50;

    /// <summary>Assigns every 50th alert to the bench's user and tags every 200th <c>vip</c>, after the seed (a few seconds).</summary>
    public static async Task<TimeSpan> TriageAsync(Database database)
    {
        var started = Stopwatch.GetTimestamp();
        await database.ExecuteAsync("""
            UPDATE alerts SET assignee_id = (SELECT id FROM users WHERE username = 'bench') WHERE id % 50 = 0;
            UPDATE alerts SET tags = ARRAY['vip'] WHERE id % 200 = 0;
            """);
        await database.ExecuteAsync("VACUUM ANALYZE alerts");
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Runs every list query at 16 connections (or BENCH_LIST_CONNECTIONS), adds one table row each, returns their JSON.</summary>
    public static async Task<JsonArray> MeasureAsync(Settings settings, Database database, LoadGenerator load, HttpClient http, List<string[]> rows)
    {
        // make exports BENCH_LIST_CONNECTIONS even when unset, as an empty string.
        var connections = Environment.GetEnvironmentVariable("BENCH_LIST_CONNECTIONS") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : 16;
        var duration = TimeSpan.FromSeconds(settings.DurationSeconds);
        var searches = settings.Searches;
        var deepAlert = await DeepCursorAsync(database, "alerts", "created_at", "-created_at");
        var deepEvent = await DeepCursorAsync(database, "events", "\"timestamp\"", "-timestamp");
        var queries = new (string Name, string Path)[]
        {
            ("alerts, newest first", "/api/alerts/"),
            ("alerts, status + severity", "/api/alerts/?status=OPEN&event__severity=CRITICAL"),
            ($"alerts, broad search ({searches[0]})", $"/api/alerts/?search={Uri.EscapeDataString(searches[0])}"),
            ($"alerts, selective search ({searches[^1]})", $"/api/alerts/?search={Uri.EscapeDataString(searches[^1])}"),
            ("alerts, assignee=me", "/api/alerts/?assignee=me"),
            ("alerts, tags=vip", "/api/alerts/?tags=vip"),
            ("alerts, a cursor 500,000 rows deep", $"/api/alerts/?cursor={deepAlert}"),
            ("alerts, most severe first", "/api/alerts/?ordering=-event__severity"),
            ("events, newest first", "/api/events/"),
            ("events, a cursor 500,000 rows deep", $"/api/events/?cursor={deepEvent}"),
        };

        var results = new JsonArray();
        foreach (var (name, path) in queries)
        {
            var (problem, count, exact) = await ProbeAsync(http, path);
            LoadResult result;
            if (problem is null)
            {
                Step($"(7) GET {Shorten(path)} ({count:N0}{(exact ? string.Empty : "+")} matches): warm-up, then {settings.DurationSeconds} s at {connections} connections");
                await load.GetAsync(path, connections, TimeSpan.FromSeconds(Math.Min(3, settings.DurationSeconds)));
                result = await load.GetAsync(path, connections, duration);
            }
            else
            {
                result = LoadResult.Skipped(problem);
            }

            results.Add(new JsonObject
            {
                ["query"] = name,
                ["path"] = path,
                ["count"] = count,
                ["count_is_exact"] = exact,
                ["connections"] = connections,
                ["requests"] = result.Requests,
                ["per_second"] = Math.Round(result.PerSecond, 1),
                ["p50_ms"] = Math.Round(result.P50Ms, 2),
                ["p99_ms"] = Math.Round(result.P99Ms, 2),
                ["errors"] = result.Errors,
                ["note"] = result.Note,
            });
            rows.Add(["8", $"GET {Shorten(path)} — {name}, {connections} connections", Describe(result),
                count is { } c ? $"count {c:N0}{(exact ? string.Empty : " (capped)")}" : string.Empty,
                result.Note is null ? $"p99 < {TargetP99Ms:N0} ms: {(result.P99Ms < TargetP99Ms && result.Errors == 0 ? "met" : "MISSED")}" : string.Empty]);
        }

        return results;
    }

    /// <summary>BENCH_ONLY=lists: a database, the API, the seed and this section, one table, bench/results/lists.json.</summary>
    public static async Task<int> RunAloneAsync(Settings settings)
    {
        var rows = new List<string[]>();
        await using var database = new Database(settings);
        await database.CreateAsync();
        Step($"database {database.Name} created; starting the API (Release, Production, logging at Warning)");
        await using var api = await ApiProcess.StartAsync(settings, database.ConnectionString);
        var token = await api.SignInAsync(settings, database.ConnectionString);
        var load = new LoadGenerator(settings, api.BaseAddress, token);
        using var http = api.Client("Bearer", token);

        var events = Math.Max(settings.Alerts, settings.ListEvents);
        Step($"(7) seeding {settings.Alerts:N0} alerts and {events:N0} events with COPY");
        var seeding = await database.SeedAlertsAsync(settings.Alerts, events);
        var triage = await TriageAsync(database);
        rows.Add(["8", $"seeding {settings.Alerts:N0} alerts + {events:N0} events with COPY (indexes rebuilt after), then assignees and tags",
            $"{seeding.TotalSeconds:N0} s + {triage.TotalSeconds:N0} s", string.Empty, string.Empty]);
        var queries = await MeasureAsync(settings, database, load, http, rows);

        var fsync = await database.TextAsync("SHOW fsync");
        var commit = await database.TextAsync("SHOW synchronous_commit");
        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores, PostgreSQL {await database.TextAsync("SHOW server_version")} (fsync={fsync}, synchronous_commit={commit}); load generator: {load.Name}");
        PrintTable(["#", "measurement", "result", "count", "target"], rows);
        var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!, "lists.json");
        var json = new JsonObject
        {
            ["alerts"] = settings.Alerts,
            ["events"] = events,
            ["seeding_seconds"] = Math.Round(seeding.TotalSeconds, 1),
            ["triage_seconds"] = Math.Round(triage.TotalSeconds, 1),
            ["fsync"] = fsync,
            ["synchronous_commit"] = commit,
            ["cores"] = Environment.ProcessorCount,
            ["load_generator"] = load.Name,
            ["queries"] = queries,
            ["finished_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"Written to {output}");
        return 0;
    }

    // The cursor the API would hand out after the row half way down the list (newest first): built from that row's keys
    // with the API's own encoding, since walking 5,000 pages to get there would measure the walk, not the page.
    private static async Task<string> DeepCursorAsync(Database database, string table, string column, string ordering)
    {
        var depth = Math.Max(1, (int)(await database.ScalarAsync($"SELECT count(*) FROM {table}") / 2));
        await using var command = database.Source.CreateCommand($"SELECT {column}, id FROM {table} ORDER BY {column} DESC, id DESC OFFSET {depth - 1} LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return string.Empty;
        }

        return new ListCursor(ordering, [reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1)]).Encode();
    }

    private static async Task<(string? Problem, long? Count, bool Exact)> ProbeAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return ($"n/a: answered {(int)response.StatusCode}", null, false);
        }

        using var page = JsonDocument.Parse(text);
        var root = page.RootElement;
        var exact = !root.TryGetProperty("count_is_exact", out var flag) || flag.GetBoolean();
        return (null, root.GetProperty("count").GetInt64(), exact);
    }

    private static string Shorten(string path) => path.Length > 70 ? path[..67] + "…" : path;

    private static void Step(string text) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

    private static string Describe(LoadResult r) => r.Note ?? $"{r.PerSecond:N0} req/s, p50 {r.P50Ms:N1} ms, p99 {r.P99Ms:N1} ms" +
        (r.Errors > 0 ? $", {r.Errors:N0} errors" : string.Empty);

    internal static void PrintTable(string[] header, List<string[]> body)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, body.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        Console.WriteLine(Line(header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        body.ForEach(r => Console.WriteLine(Line(r)));
    }
}
