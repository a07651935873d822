using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ThreatPlatform.Bench;

/// <summary>
/// (12) Ingest at the database's speed: every API ingest figure next to the raw PostgreSQL figure it is measured against,
/// in one run on the same durable cluster. Raw prepared INSERTs (one row per transaction, as single ingest commits) at
/// each connection level against <c>POST /api/events/</c> at the same level; binary COPY of the same events, 1,000 rows
/// per transaction from one client, against <c>POST /api/events/batch/</c> with 1,000 per request from one and two
/// clients. All of them store the events of <see cref="Data.Event"/>. The API's CPU (and the cluster's) per single
/// ingest at 16 connections comes from /proc around that level, and the API's peak RSS closes the section.
/// </summary>
internal static class IngestBench
{
    private const int CopyRowsPerTransaction = 1_000;
    private const int CpuConnections = 16;

    /// <summary>`BENCH_ONLY=ingest`: only this section; prints its rows and writes them into latest.json's "ingest".</summary>
    public static async Task<int> RunAloneAsync(Settings settings)
    {
        var rows = new List<string[]>();
        await using var database = new Database(settings);
        await database.CreateAsync();
        Step($"database {database.Name} created; starting the API (Release, Production, logging at Warning)");
        // perf resolves the JIT's code through the map the runtime writes to /tmp/perf-PID.map when asked, and only for
        // code in anonymous memory: W^X's double mapping would show it as one memfd file without symbols.
        var environment = TraceMode is "perf"
            ? new Dictionary<string, string> { ["DOTNET_PerfMapEnabled"] = "1", ["DOTNET_EnableWriteXorExecute"] = "0" }
            : null;
        await using var api = await ApiProcess.StartAsync(settings, database.ConnectionString, environment);
        var token = await api.SignInAsync(settings, database.ConnectionString);
        var load = new LoadGenerator(settings, api.BaseAddress, token);
        using var http = api.Client("Bearer", token);

        var result = await MeasureAsync(settings, database, api, load, http, rows);

        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores, PostgreSQL {await database.TextAsync("SHOW server_version")} ({result["durability"]}); " +
            $"load generator: {load.Name}; {settings.Events:N0} events, {settings.DurationSeconds} s per level");
        ListBench.PrintTable(["#", "measurement", "result", "ratio", "target"], rows);
        var output = Path.GetFullPath(settings.Output);
        var json = File.Exists(output) ? JsonNode.Parse(await File.ReadAllTextAsync(output)) as JsonObject ?? [] : [];
        json["ingest"] = result;
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"Written to {settings.Output} (ingest)");
        return 0;
    }

    public static async Task<JsonObject> MeasureAsync(Settings settings, Database database, ApiProcess api, LoadGenerator load, HttpClient http, List<string[]> rows)
    {
        var duration = TimeSpan.FromSeconds(settings.DurationSeconds);

        // Production durability, or the comparison means nothing: every figure below pays one fsync'd commit per transaction.
        var fsync = await database.TextAsync("SHOW fsync");
        var commit = await database.TextAsync("SHOW synchronous_commit");
        var pageWrites = await database.TextAsync("SHOW full_page_writes");
        var durability = $"fsync={fsync}, synchronous_commit={commit}, full_page_writes={pageWrites}";
        var durable = fsync == "on" && commit == "on" && pageWrites == "on";
        Step($"(12) ingest against raw PostgreSQL on a cluster with {durability}");
        rows.Add(["12", "durability of the cluster every (12) figure is measured on", durability, string.Empty, Verdict(durable, "all on")]);

        // Raw COPY of the same events, 1,000 rows per COPY (one transaction each), one client.
        await database.ResetAsync();
        Step($"(12) raw binary COPY of {settings.Events:N0} events, {CopyRowsPerTransaction:N0} per transaction, 1 client");
        var copy = await database.CopyEventsInTransactionsAsync(settings.Events, CopyRowsPerTransaction, "copy12");
        var copyRate = settings.Events / copy.TotalSeconds;
        rows.Add(["12", $"raw binary COPY into events (Npgsql), {CopyRowsPerTransaction:N0} per transaction, 1 client", $"{copyRate:N0} events/s", "baseline of batch", string.Empty]);

        var batches = new JsonArray();
        foreach (var clients in settings.BatchClients)
        {
            await database.ResetAsync();
            Step($"(12) POST /api/events/batch/: {settings.Events:N0} events, {settings.BatchSize:N0} per request, {clients} client(s)");
            var rate = await BatchLoad.RunAsync(settings, database, http, clients, "batch12");
            var ratio = rate / copyRate;
            batches.Add(new JsonObject
            {
                ["clients"] = clients,
                ["batch_size"] = settings.BatchSize,
                ["events_per_second"] = Round(rate),
                ["ratio_to_raw_copy"] = Round(ratio, 3),
            });
            rows.Add(["12", $"POST /api/events/batch/, {settings.BatchSize:N0} per request, {clients} client(s)", $"{rate:N0} events/s",
                $"{ratio:P0} of COPY", clients == 1 ? Verdict(ratio >= 0.6, "≥ 60 % of COPY") : string.Empty]);
        }

        // Single ingest against prepared INSERTs, level by level, each from empty tables; the API warmed up first so that
        // tiered compilation is done before the first level counts. Both paths: concurrent requests are written in groups,
        // a request alone (one connection) through EF Core, whose code 16 connections leave cold (tier-0 code and the JIT
        // at work cost 1 connection's first seconds twice the API CPU per request of the seconds after).
        await database.ResetAsync();
        Step("(12) warm-up of POST /api/events/ at 16 connections, 15 s, then at 1 connection, 10 s");
        await load.PostDataEventsAsync(16, TimeSpan.FromSeconds(15), "warm12");
        await load.PostDataEventsAsync(1, TimeSpan.FromSeconds(10), "warm12-1");
        var single = new JsonArray();
        JsonObject? cpu = null;
        foreach (var connections in settings.Connections)
        {
            await database.ResetAsync();
            Step($"(12) POST /api/events/ at {connections} connection(s), {settings.DurationSeconds} s");
            var counters = connections == CpuConnections ? await CpuCounters.StartAsync(api, database) : null;
            var apiLoad = await load.PostDataEventsAsync(connections, duration, $"single12-{connections}");
            if (counters is not null)
            {
                cpu = counters.Stop(apiLoad.Requests);
            }

            // Every answered request must have stored its event: a 200 for a duplicate external_id stores nothing and
            // would flatter the rate.
            var stored = await database.ScalarAsync("SELECT count(*) FROM events");
            if (stored < apiLoad.Requests - apiLoad.Errors)
            {
                throw new InvalidOperationException($"(12) {apiLoad.Requests - apiLoad.Errors:N0} requests answered 2xx but {stored:N0} events were stored.");
            }

            // Group commit: rows one transaction wrote share its xmin, so this is how many requests shared a commit.
            var transactions = await database.ScalarAsync("SELECT count(DISTINCT xmin::text) FROM events");
            var perTransaction = transactions == 0 ? 0 : (double)stored / transactions;

            await database.ResetAsync();
            Step($"(12) raw prepared INSERT at {connections} connection(s), {settings.DurationSeconds} s");
            var raw = await database.InsertLoadAsync(connections, duration);
            var ratio = apiLoad.PerSecond / raw.PerSecond;
            single.Add(new JsonObject
            {
                ["connections"] = connections,
                ["api"] = Json(apiLoad),
                ["raw_insert"] = Json(raw),
                ["ratio_api_to_raw"] = Round(ratio, 3),
                ["events_per_transaction"] = Round(perTransaction, 2),
            });
            rows.Add(["12", $"raw prepared INSERT into events (Npgsql), 1 row per transaction, {connections} connection(s)", Describe(raw), string.Empty, string.Empty]);
            rows.Add(["12", $"POST /api/events/, {connections} connection(s)", $"{Describe(apiLoad)}, {perTransaction:N1} events per commit", $"{ratio:P0} of INSERT", connections switch
            {
                1 => Verdict(apiLoad.P50Ms <= 1.5 && apiLoad.Errors == 0, "p50 ≤ 1.5 ms"),
                16 => Verdict(ratio >= 0.6 && apiLoad.Errors == 0, "≥ 60 % of INSERT"),
                _ => apiLoad.Errors > 0 ? "errors: MISSED" : string.Empty,
            }]);
        }

        if (cpu is not null)
        {
            var apiMs = (double)cpu["api_cpu_ms_per_request"]!;
            var pgMs = (double)cpu["postgresql_cpu_ms_per_request"]!;
            rows.Add(["12", $"CPU per POST /api/events/ at {CpuConnections} connections (/proc, user + system)",
                $"API {apiMs:N2} ms, PostgreSQL {pgMs:N2} ms", string.Empty, Verdict(apiMs <= 0.5, "API ≤ 0.5 ms")]);
        }

        if (TraceMode is "1" or "dotnet-trace")
        {
            await TraceAsync(settings, database, api, load);
        }
        else if (TraceMode is "perf")
        {
            await PerfAsync(settings, database, api, load);
        }

        // Over the whole run so far: in a full `make bench` that is every section before this one too.
        var peak = api.PeakRssMiB();
        rows.Add(["12", "API peak RSS (VmHWM) so far", $"{peak:N0} MiB", string.Empty, Verdict(peak <= 300, "≤ 300 MiB")]);

        return new JsonObject
        {
            ["quick"] = settings.Quick,
            ["durability"] = durability,
            ["fsync"] = fsync,
            ["synchronous_commit"] = commit,
            ["full_page_writes"] = pageWrites,
            ["events"] = settings.Events,
            ["seconds_per_level"] = settings.DurationSeconds,
            ["load_generator"] = load.Name,
            ["raw_copy"] = new JsonObject
            {
                ["rows_per_transaction"] = CopyRowsPerTransaction,
                ["clients"] = 1,
                ["seconds"] = Round(copy.TotalSeconds, 2),
                ["events_per_second"] = Round(copyRate),
            },
            ["batch"] = batches,
            ["single"] = single,
            ["cpu_per_request"] = cpu,
            ["api_peak_rss_mib"] = Round(peak),
            ["finished_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// `BENCH_INGEST_TRACE=1`: one more 16-connection level of single ingest (the API warm) under `dotnet-trace collect`
    /// (BENCH_TRACE_PROFILE, by default dotnet-sampled-thread-time), written to bench/results/ingest-16.nettrace, and
    /// dotnet-trace's top methods by exclusive and inclusive time printed. The level's figures are not reported: the
    /// tracer costs CPU on the same two cores.
    /// </summary>
    private static async Task TraceAsync(Settings settings, Database database, ApiProcess api, LoadGenerator load)
    {
        var tool = Environment.GetEnvironmentVariable("BENCH_DOTNET_TRACE") is { Length: > 0 } configured ? configured
            : Settings.OnPath("dotnet-trace") ? "dotnet-trace"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        var profile = Environment.GetEnvironmentVariable("BENCH_TRACE_PROFILE") is { Length: > 0 } p ? p : "dotnet-sampled-thread-time";
        var output = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!, "ingest-16.nettrace"));
        var seconds = Math.Max(settings.DurationSeconds, 10);
        await database.ResetAsync();
        Step($"(12) POST /api/events/ at {CpuConnections} connections under {tool} collect --profile {profile}, {seconds} s");
        var trace = RunToolAsync(tool, "collect", "-p", api.Pid.ToString(CultureInfo.InvariantCulture), "--profile", profile,
            "-o", output, "--duration", $"00:00:00:{seconds:00}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await load.PostDataEventsAsync(CpuConnections, TimeSpan.FromSeconds(seconds + 2), "trace12");
        Console.WriteLine(await trace);
        foreach (var inclusive in new[] { false, true })
        {
            string[] report = ["report", output, "topN", "-n", "25", .. inclusive ? new[] { "--inclusive" } : []];
            Console.WriteLine($"--- dotnet-trace top methods, {(inclusive ? "inclusive" : "exclusive")} time ({output}) ---");
            Console.WriteLine(await RunToolAsync(tool, report));
        }
    }

    /// <summary>
    /// `BENCH_INGEST_TRACE=perf` (with `BENCH_ONLY=ingest`, which starts the API with DOTNET_PerfMapEnabled=1): the same
    /// level under `perf record -e cpu-clock -g` on the API process (on-CPU samples only, unlike the thread-time
    /// sampler, which counts waiting threads too), written to bench/results/ingest-16.perf.data, and perf's report of the
    /// symbols with the most samples, self and with their callees, printed.
    /// </summary>
    private static async Task PerfAsync(Settings settings, Database database, ApiProcess api, LoadGenerator load)
    {
        var output = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!, "ingest-16.perf.data"));
        var seconds = Math.Max(settings.DurationSeconds, 10);
        await database.ResetAsync();
        Step($"(12) POST /api/events/ at {CpuConnections} connections under perf record -e cpu-clock -g, {seconds} s");
        var record = RunToolAsync("perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", api.Pid.ToString(CultureInfo.InvariantCulture),
            "-o", output, "--", "sleep", seconds.ToString(CultureInfo.InvariantCulture));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await load.PostDataEventsAsync(CpuConnections, TimeSpan.FromSeconds(seconds + 1), "perf12");
        Console.WriteLine(await record);
        foreach (var children in new[] { false, true })
        {
            var report = await RunToolAsync("perf", "report", "-i", output, "--stdio", "-g", "none",
                children ? "--children" : "--no-children", "--sort", "symbol", "--percent-limit", children ? "4" : "0.5");
            Console.WriteLine($"--- perf, {(children ? "with callees (inclusive)" : "self (exclusive)")} ---");
            Console.WriteLine(string.Join('\n', report.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Take(80).Select(l => l.Length > 160 ? l[..160] : l)));
        }
    }

    private static string? TraceMode => Environment.GetEnvironmentVariable("BENCH_INGEST_TRACE");

    private static async Task<string> RunToolAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {await stdout}{await stderr}";
    }

    /// <summary>
    /// CPU time (user + system) of the API process and of every process of the PostgreSQL cluster (those whose working
    /// folder is its data directory: the postmaster, its backends and its background workers), between start and stop.
    /// </summary>
    private sealed class CpuCounters
    {
        private readonly int _apiPid;
        private readonly string _dataDirectory;
        private readonly TimeSpan _api0;
        private readonly TimeSpan _pg0;

        private CpuCounters(int apiPid, string dataDirectory)
        {
            _apiPid = apiPid;
            _dataDirectory = dataDirectory;
            _api0 = ApiCpu();
            _pg0 = ClusterCpu();
        }

        public static async Task<CpuCounters> StartAsync(ApiProcess api, Database database) =>
            new(api.Pid, await database.TextAsync("SHOW data_directory"));

        public JsonObject Stop(long requests)
        {
            var api = ApiCpu() - _api0;
            var pg = ClusterCpu() - _pg0;
            var perRequest = Math.Max(1, requests);
            return new JsonObject
            {
                ["connections"] = CpuConnections,
                ["requests"] = requests,
                ["api_cpu_ms_per_request"] = Round(api.TotalMilliseconds / perRequest, 3),
                ["postgresql_cpu_ms_per_request"] = Round(pg.TotalMilliseconds / perRequest, 3),
            };
        }

        private TimeSpan ApiCpu()
        {
            using var process = Process.GetProcessById(_apiPid);
            return process.TotalProcessorTime;
        }

        private TimeSpan ClusterCpu()
        {
            var total = TimeSpan.Zero;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                try
                {
                    var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget;
                    if (cwd is null || !cwd.StartsWith(_dataDirectory, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    using var process = Process.GetProcessById(pid);
                    total += process.TotalProcessorTime;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
                {
                    // Gone between the listing and the read, or not ours to read.
                }
            }

            return total;
        }
    }

    private static void Step(string text) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

    private static double Round(double value, int digits = 1) => Math.Round(value, digits);

    private static string Verdict(bool met, string target) => $"{target}: {(met ? "met" : "MISSED")}";

    private static string Describe(LoadResult r) => r.Note ?? $"{r.PerSecond:N0}/s, p50 {r.P50Ms:N2} ms, p99 {r.P99Ms:N1} ms" +
        (r.Errors > 0 ? $", {r.Errors:N0} errors" : string.Empty);

    private static JsonObject Json(LoadResult r) => new()
    {
        ["requests"] = r.Requests,
        ["seconds"] = Round(r.Seconds, 2),
        ["per_second"] = Round(r.PerSecond),
        ["p50_ms"] = Round(r.P50Ms, 2),
        ["p99_ms"] = Round(r.P99Ms, 2),
        ["errors"] = r.Errors,
    };

}
