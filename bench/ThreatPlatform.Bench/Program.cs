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

// (1) Raw binary COPY straight into the events table: what this machine can store at best.
await database.ResetAsync();
Step($"(1) raw COPY of {settings.Events:N0} events");
var copy = await database.CopyEventsAsync(settings.Events, "copy");
var copyRate = settings.Events / copy.TotalSeconds;
results["raw_copy"] = new JsonObject { ["events"] = settings.Events, ["seconds"] = Round(copy.TotalSeconds), ["events_per_second"] = Round(copyRate) };
rows.Add(["1", $"raw binary COPY into events (Npgsql), {settings.Events:N0} events", $"{copyRate:N0} events/s", "physical limit", string.Empty]);

// (2) Batch ingest through the API, batches of BatchSize, the bodies built before the clock starts: one client
// sending batch after batch (the same single stream as (1)), then more clients at once, as several sensors would.
var batches = new JsonArray();
foreach (var clients in settings.BatchClients)
{
    await database.ResetAsync();
    Step($"(2) batch ingest: {settings.Events:N0} events in batches of {settings.BatchSize:N0}, {clients} client(s)");
    var batchRate = await BatchLoad.RunAsync(settings, database, http, clients);
    batches.Add(new JsonObject
    {
        ["events"] = settings.Events,
        ["batch_size"] = settings.BatchSize,
        ["clients"] = clients,
        ["events_per_second"] = Round(batchRate),
        ["ratio_to_raw_copy"] = Round(batchRate / copyRate, 3),
    });
    // One client against one COPY stream is the like-for-like comparison (issue #13: ≥ 70 %); more clients overlap.
    var batchTarget = clients == 1 ? 0.7 : 0.5;
    rows.Add(["2", $"POST /api/events/batch/, {settings.BatchSize:N0} per batch, {clients} client(s)", $"{batchRate:N0} events/s",
        $"{batchRate / copyRate:P0} of (1)", Verdict(batchRate / copyRate >= batchTarget, $"≥ {batchTarget:P0} of (1)")]);
}

results["batch_ingest"] = batches;

// (3) and (4): single-event ingest through the API against single-row INSERTs, each level from an empty table.
var probe = await ProbeSingleIngestAsync();
var single = new JsonArray();
foreach (var connections in settings.Connections)
{
    LoadResult apiLoad;
    if (probe is null)
    {
        await database.ResetAsync();
        if (connections == settings.Connections[0])
        {
            Step("(3) warm-up of POST /api/events/");
            // Long enough for tiered compilation to reach its optimised code on a busy 2-core machine.
            await load.PostEventsAsync(16, TimeSpan.FromSeconds(Math.Min(15, settings.DurationSeconds)));
            await database.ResetAsync();
        }

        Step($"(3) POST /api/events/ at {connections} connection(s), {settings.DurationSeconds} s");
        apiLoad = await load.PostEventsAsync(connections, duration);
    }
    else
    {
        apiLoad = LoadResult.Skipped(probe);
    }

    await database.ResetAsync();
    Step($"(4) raw single-row INSERT at {connections} connection(s), {settings.DurationSeconds} s");
    var raw = await database.InsertLoadAsync(connections, duration);
    var ratio = apiLoad.PerSecond / raw.PerSecond;
    single.Add(new JsonObject
    {
        ["connections"] = connections,
        ["api"] = Json(apiLoad),
        ["raw_insert"] = Json(raw),
        ["ratio_api_to_raw"] = Round(ratio, 3),
    });
    var target = apiLoad.Note is not null ? string.Empty : connections switch
    {
        1 => Verdict(apiLoad.P50Ms <= 1, "p50 ≤ 1 ms"),
        16 => Verdict(ratio >= 0.3, "≥ 30% of (4)"),
        64 => Verdict(apiLoad.P99Ms <= 100 && apiLoad.Errors == 0, "p99 ≤ 100 ms, no errors"),
        _ => string.Empty,
    };
    rows.Add(["3", $"POST /api/events/, {connections} connection(s)", Describe(apiLoad), apiLoad.Note is null ? $"{ratio:P0} of (4)" : string.Empty, target]);
    rows.Add(["4", $"raw single-row INSERT (Npgsql, prepared), {connections} connection(s)", Describe(raw), string.Empty, string.Empty]);
}

results["single_ingest"] = single;

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

async Task<string?> ProbeSingleIngestAsync()
{
    var json = new StringBuilder();
    Data.WriteJson(json, Data.Event(0, "probe"));
    using var response = await http.PostAsync(new Uri("/api/events/", UriKind.Relative), new StringContent(json.ToString(), Encoding.UTF8, "application/json"));
    return response.IsSuccessStatusCode ? null : $"n/a: POST /api/events/ answered {(int)response.StatusCode}";
}

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

