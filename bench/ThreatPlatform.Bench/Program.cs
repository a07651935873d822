using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ThreatPlatform.Bench;

// `make bench`: the API's speed next to the physical limit of the same machine and database, measured in one run.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var settings = Settings.FromEnvironment(args);
if (Environment.GetEnvironmentVariable("BENCH_ONLY") is "lists")
{
    return await ListBench.RunAloneAsync(settings);
}

if (Environment.GetEnvironmentVariable("BENCH_ONLY") is "formats")
{
    return await FormatsBench.RunAloneAsync(settings);
}

if (Environment.GetEnvironmentVariable("BENCH_ONLY") is "ingest")
{
    return await IngestBench.RunAloneAsync(settings);
}

if (Environment.GetEnvironmentVariable("BENCH_ONLY") is "notifications")
{
    return await NotificationBench.RunAloneAsync(settings);
}

if (Environment.GetEnvironmentVariable("BENCH_ONLY") is "rules")
{
    return await RuleBench.RunAloneAsync(settings);
}

var duration = TimeSpan.FromSeconds(settings.DurationSeconds);
var results = new JsonObject();
var rows = new List<string[]>();

Console.WriteLine($"ThreatPlatform benchmark{(settings.Quick ? " (quick mode)" : string.Empty)}: {settings.Events:N0} events, " +
    $"{settings.Alerts:N0} alerts, {settings.DurationSeconds} s per load level, connections {string.Join('/', settings.Connections)}");

await using var database = new Database(settings);
await database.CreateAsync();
Step($"database {database.Name} created; starting the API (Release, Production, logging at Warning)");
await using var api = await ApiProcess.StartAsync(settings, database.ConnectionString);
var token = await api.SignInAsync(settings, database.ConnectionString);
if (args.Contains("--web"))
{
    return await WebBench.RunAsync(settings, database, api);
}

var load = new LoadGenerator(settings, api.BaseAddress, token);
using var http = api.Client("Bearer", token);

// Ingest against raw PostgreSQL (prepared INSERT, COPY into the same schema) is section (12), measured once.

// (5) The alert list at scale: seed with COPY, then one dashboard query again and again on one connection.
Step($"(5) seeding {settings.Alerts:N0} alerts and their events with COPY");
var seeding = await database.SeedAlertsAsync(settings.Alerts);
Step($"(5) {settings.Alerts:N0} alerts and their events seeded in {seeding.TotalSeconds:N0} s");
rows.Add(["5", $"seeding {settings.Alerts:N0} alerts + their events with COPY (indexes dropped, rebuilt, ANALYZE)", $"{seeding.TotalSeconds:N0} s",
    $"{settings.Alerts / seeding.TotalSeconds:N0} alerts/s", string.Empty]);
var lists = new JsonArray();
foreach (var term in settings.Searches)
{
    var listPath = $"/api/alerts/?status=OPEN&event__severity=CRITICAL&search={Uri.EscapeDataString(term)}&ordering=-created_at";
    var listProbe = await ProbeAlertListAsync(listPath);
    LoadResult list;
    if (listProbe.Problem is null)
    {
        Step($"(5) GET {listPath} ({listProbe.Count:N0} matches), warm-up then {settings.DurationSeconds} s on 1 connection");
        await load.GetAsync(listPath, 1, TimeSpan.FromSeconds(Math.Min(3, settings.DurationSeconds)));
        list = await load.GetAsync(listPath, 1, duration);
    }
    else
    {
        list = LoadResult.Skipped(listProbe.Problem);
    }

    lists.Add(new JsonObject { ["search"] = term, ["path"] = listPath, ["matches"] = listProbe.Count, ["result"] = Json(list) });
    rows.Add(["5", $"GET /api/alerts/?status=OPEN&event__severity=CRITICAL&search={term}&ordering=-created_at", Describe(list),
        listProbe.Count is { } count ? $"{count:N0} matches" : string.Empty, list.Note is null ? Verdict(list.P99Ms < 25, "p99 < 25 ms") : string.Empty]);
}

// The dashboard's figures over the default window (the last 7 days of the 90 the seed spreads its alerts over).
const string statsPath = "/api/stats/alerts/";
Step($"(5) GET {statsPath}, warm-up then {settings.DurationSeconds} s on 1 connection");
await load.GetAsync(statsPath, 1, TimeSpan.FromSeconds(Math.Min(3, settings.DurationSeconds)));
var stats = await load.GetAsync(statsPath, 1, duration);
rows.Add(["5", $"GET {statsPath} (default window: the last 7 days, {settings.Alerts * 7 / 90:N0} alerts)", Describe(stats), string.Empty,
    Verdict(stats.P99Ms < 100, "p99 < 100 ms")]);

results["alert_list"] = new JsonObject
{
    ["alerts"] = settings.Alerts,
    ["seeding_seconds"] = Round(seeding.TotalSeconds),
    ["queries"] = lists,
    ["stats"] = Json(stats),
};

// (7) Live alert streams: many SSE clients on this one host while alerts arrive.
Step($"(7) {settings.StreamClients:N0} alert streams open at once, then {settings.StreamAlerts:N0} HIGH events at {settings.StreamAlertsPerSecond:N0}/s");
var streams = await new StreamLoad(api.BaseAddress, token, api.RssMiB).RunAsync(settings.StreamClients, settings.StreamAlerts, settings.StreamAlertsPerSecond);
results["alert_streams"] = new JsonObject
{
    ["clients"] = streams.Clients,
    ["connected"] = streams.Connected,
    ["alerts"] = streams.Alerts,
    ["deliveries"] = streams.Deliveries,
    ["expected_deliveries"] = streams.Expected,
    ["delivery_p50_ms"] = Round(streams.P50Ms, 2),
    ["delivery_p99_ms"] = Round(streams.P99Ms, 2),
    ["api_max_rss_mib"] = Round(streams.MaxRssMiB),
    ["note"] = streams.Note,
};
rows.Add(["7", $"GET /api/alerts/stream/, {streams.Clients:N0} clients at once, {streams.Alerts:N0} alerts at {settings.StreamAlertsPerSecond:N0}/s (post → frame read)",
    streams.Connected == 0 ? streams.Note! : $"{streams.Deliveries:N0} of {streams.Expected:N0} delivered, p50 {streams.P50Ms:N1} ms, p99 {streams.P99Ms:N1} ms" +
        (streams.Note is null ? string.Empty : $" ({streams.Note})"),
    string.Empty,
    Verdict(streams.Connected == streams.Clients && streams.Deliveries == streams.Expected && streams.P99Ms < 1000, "all delivered, p99 < 1 s")]);
rows.Add(["7", $"API RSS while {streams.Connected:N0} streams are open (highest sample)", $"{streams.MaxRssMiB:N0} MiB", string.Empty,
    Verdict(streams.MaxRssMiB < 300, "< 300 MiB")]);

// (8) The alert and event lists at scale on the same seed, 16 connections (ListBench.cs).
await ListBench.TriageAsync(database);
results["lists"] = await ListBench.MeasureAsync(settings, database, load, http, rows);

// (9) Notifications under the 16-connection ingest load (NotificationBench.cs).
results["notifications"] = await NotificationBench.MeasureAsync(settings, database, load, http, rows);

// (10) Raw CEF against native batch ingest and (11) syslog over TCP, on a database and an API of their own
// (FormatsBench.cs).
results["formats"] = await FormatsBench.MeasureAsync(settings, rows);

// (12) Ingest next to raw PostgreSQL, side by side: single and batch as shares of prepared INSERT and COPY (IngestBench.cs).
results["ingest"] = await IngestBench.MeasureAsync(settings, database, api, load, http, rows);

// (13) Batch ingest with 0, 100 and 1,000 Sigma rules and 10 correlations, on a database and an API of their own
// (RuleBench.cs).
results["rules"] = await RuleBench.MeasureAsync(settings, rows);

// (6) Peak memory of the API over the whole run.
var peak = api.PeakRssMiB();
results["api_peak_rss_mib"] = Round(peak);
rows.Add(["6", "API peak RSS (VmHWM) over the whole run", $"{peak:N0} MiB", string.Empty, Verdict(peak < 300, "< 300 MiB")]);

results["machine"] = await MachineAsync();
results["load_generator"] = load.Name;
results["settings"] = new JsonObject
{
    ["quick"] = settings.Quick,
    ["events"] = settings.Events,
    ["batch_size"] = settings.BatchSize,
    ["alerts"] = settings.Alerts,
    ["duration_seconds"] = settings.DurationSeconds,
    ["connections"] = new JsonArray(settings.Connections.Select(c => (JsonNode)c).ToArray()),
    ["stream_clients"] = settings.StreamClients,
};
results["finished_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

Console.WriteLine();
Console.WriteLine($"Machine: {results["machine"]!["summary"]}; load generator: {load.Name}");
Console.WriteLine($"PostgreSQL settings: {results["machine"]!["settings"]}");
ListBench.PrintTable(["#", "measurement", "result", "ratio", "target"], rows);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!);
await File.WriteAllTextAsync(settings.Output, results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine($"Written to {settings.Output}");
return 0;

async Task<(string? Problem, long? Count)> ProbeAlertListAsync(string path)
{
    using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
    if (!response.IsSuccessStatusCode)
    {
        return ($"n/a: the alert list answered {(int)response.StatusCode}", null);
    }

    using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    return (null, page.RootElement.GetProperty("count").GetInt64());
}

async Task<JsonObject> MachineAsync()
{
    var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
    var gib = long.Parse(memory["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
    var version = await database.TextAsync("SHOW server_version");
    var fsync = await database.TextAsync("SHOW fsync");
    var commit = await database.TextAsync("SHOW synchronous_commit");
    var pageWrites = await database.TextAsync("SHOW full_page_writes");
    var walSync = await database.TextAsync("SHOW wal_sync_method");
    var sharedBuffers = await database.TextAsync("SHOW shared_buffers");
    return new JsonObject
    {
        ["cores"] = Environment.ProcessorCount,
        ["memory_gib"] = Round(gib, 1),
        ["postgresql"] = version,
        ["fsync"] = fsync,
        ["synchronous_commit"] = commit,
        ["full_page_writes"] = pageWrites,
        ["settings"] = $"fsync={fsync}, synchronous_commit={commit}, full_page_writes={pageWrites}, wal_sync_method={walSync}, shared_buffers={sharedBuffers}",
        ["dotnet"] = Environment.Version.ToString(),
        ["summary"] = $"{Environment.ProcessorCount} cores, {gib:N0} GiB RAM, PostgreSQL {version.Split(' ')[0]} (fsync={fsync}, synchronous_commit={commit}) " +
            $"on the same machine, .NET {Environment.Version}",
    };
}

static void Step(string text) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

static double Round(double value, int digits = 1) => Math.Round(value, digits);

static string Verdict(bool met, string target) => $"{target}: {(met ? "met" : "MISSED")}";

static string Describe(LoadResult r) => r.Note ?? $"{(r.PerSecond < 10 ? r.PerSecond.ToString("N1") : r.PerSecond.ToString("N0"))} req/s, " +
    $"p50 {r.P50Ms:N1} ms, p99 {r.P99Ms:N1} ms" + (r.Errors > 0 ? $", {r.Errors:N0} errors" : string.Empty);

static JsonObject Json(LoadResult r) => new()
{
    ["requests"] = r.Requests,
    ["seconds"] = Round(r.Seconds, 2),
    ["per_second"] = Round(r.PerSecond),
    ["p50_ms"] = Round(r.P50Ms, 2),
    ["p99_ms"] = Round(r.P99Ms, 2),
    ["errors"] = r.Errors,
    ["note"] = r.Note,
};

