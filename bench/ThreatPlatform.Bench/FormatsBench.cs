using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ThreatPlatform.Bench;

/// <summary>
/// `BENCH_ONLY=formats`: (10) raw CEF through POST /api/ingest/raw/ against the native batch endpoint in the same run
/// (one client, BatchSize lines per request, the same sensor key, the same events written two ways; both paths warmed
/// alike, then medians of alternating rounds), and (11) syslog over TCP (octet counting) from a load generator of several
/// connections: first paced at a fixed rate, which must be sustained with a p99 from send to stored under a second, then
/// unpaced, for the most it takes. Send → stored: each message carries its send time as its RFC 5424 TIMESTAMP (the
/// event's occurred_at, to the microsecond); a poller reads the new rows every 20 ms and takes its own clock as the time
/// each became visible, so the figure is an upper bound (by one poll) of send → committed.
/// </summary>
internal static class FormatsBench
{
    private const int PollMilliseconds = 20;

    /// <summary>Requests of BatchSize each path gets before (10) counts (the batch section warms with as many).</summary>
    private const int WarmRequests = 20;

    public static async Task<int> RunAloneAsync(Settings settings)
    {
        var rows = new List<string[]>();
        var results = await MeasureAsync(settings, rows);
        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores (fsync={results["fsync"]}, synchronous_commit={results["synchronous_commit"]})");
        ListBench.PrintTable(["#", "measurement", "result", "ratio", "target"], rows);
        var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!, "formats.json");
        await File.WriteAllTextAsync(output, results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"Written to {output}");
        return 0;
    }

    /// <summary>(10) and (11) on a database and an API of their own (the API needs its syslog listener on).</summary>
    public static async Task<JsonObject> MeasureAsync(Settings settings, List<string[]> rows)
    {
        await using var database = new Database(settings);
        await database.CreateAsync();
        var syslogPort = FreePort();
        Step($"database {database.Name} created; starting the API with its syslog listener on TCP {syslogPort}");
        await using var api = await ApiProcess.StartAsync(settings, database.ConnectionString, new Dictionary<string, string>
        {
            ["Syslog__TcpPort"] = syslogPort.ToString(CultureInfo.InvariantCulture),
            ["Syslog__BindAddress"] = "127.0.0.1",
            // The bench measures throughput from one key: the key's events-per-second meter would cap it.
            ["Ingest__KeyEventsPerSecond"] = "0",
        });
        var token = await api.SignInAsync(settings, database.ConnectionString);
        using var admin = api.Client("Bearer", token);

        var results = new JsonObject();
        var (cefSensor, cefKey) = await SensorAsync(admin, "bench-cef", "CEF", withKey: true, networks: []);
        using var sensor = api.Client("ApiKey", cefKey);

        // (10) The same events as native JSON and as CEF lines, bodies built before the clock starts. Both paths are
        // warmed alike (tiered compilation reaches both before either counts), then measured in alternating rounds —
        // native first, CEF first, native first — from empty tables, and compared by their medians: a machine that gets
        // busier or quieter during the section moves both alike.
        const int rounds = 3;
        var perRound = Math.Max(settings.BatchSize * 5, settings.Events / rounds);
        for (var w = 0; w < WarmRequests; w++)
        {
            await PostAsync(sensor, "/api/events/batch/", "application/x-ndjson", Bodies(settings, settings.BatchSize, i => NativeLine(i, "bench-cef", $"warm-native-{w}"))[0]);
            await PostAsync(sensor, "/api/ingest/raw/", "text/plain", Bodies(settings, settings.BatchSize, i => CefLine(i, $"warm-cef-{w}"))[0]);
        }

        var nativeRates = new List<double>();
        var cefRates = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var native = Bodies(settings, perRound, i => NativeLine(i, "bench-cef", $"native-{round}"));
            var cef = Bodies(settings, perRound, i => CefLine(i, $"cef-{round}"));
            foreach (var cefFirst in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                await database.ResetAsync();
                if (cefFirst)
                {
                    Step($"(10) round {round + 1}: raw CEF, {perRound:N0} lines in requests of {settings.BatchSize:N0}, 1 client, sensor key");
                    cefRates.Add(await IngestAsync(sensor, "/api/ingest/raw/", "text/plain", cef, perRound));
                }
                else
                {
                    Step($"(10) round {round + 1}: native batch, {perRound:N0} events in batches of {settings.BatchSize:N0}, 1 client, sensor key");
                    nativeRates.Add(await IngestAsync(sensor, "/api/events/batch/", "application/x-ndjson", native, perRound));
                }
            }
        }

        var nativeRate = Median(nativeRates);
        var cefRate = Median(cefRates);
        var share = cefRate / nativeRate;
        rows.Add(["10", $"POST /api/events/batch/ (NDJSON), {settings.BatchSize:N0} per request, 1 client, sensor key, median of {rounds} rounds", $"{nativeRate:N0} events/s", string.Empty, string.Empty]);
        rows.Add(["10", $"POST /api/ingest/raw/ (CEF), {settings.BatchSize:N0} lines per request, 1 client, sensor key, median of {rounds} rounds", $"{cefRate:N0} events/s",
            $"{share:P0} of native", Verdict(share >= 0.8, "≥ 80% of native")]);
        results["raw_cef"] = new JsonObject
        {
            ["events_per_round"] = perRound,
            ["rounds"] = rounds,
            ["lines_per_request"] = settings.BatchSize,
            ["native_events_per_second"] = Math.Round(nativeRate, 1),
            ["cef_events_per_second"] = Math.Round(cefRate, 1),
            ["cef_share_of_native"] = Math.Round(share, 3),
            ["native_rounds"] = new JsonArray([.. nativeRates.Select(r => (JsonNode)Math.Round(r, 1))]),
            ["cef_rounds"] = new JsonArray([.. cefRates.Select(r => (JsonNode)Math.Round(r, 1))]),
        };
        _ = cefSensor;

        // (11) Syslog over TCP, octet counting, several connections.
        var (syslogSensor, _) = await SyslogSensorAsync(admin);
        var connections = Environment.GetEnvironmentVariable("BENCH_SYSLOG_CONNECTIONS") is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : 4;
        var rate = Environment.GetEnvironmentVariable("BENCH_SYSLOG_RATE") is { Length: > 0 } r ? int.Parse(r, CultureInfo.InvariantCulture) : 6_000;
        var seconds = Math.Max(10, settings.DurationSeconds * 3);
        await database.ResetAsync();
        await SyslogLoadAsync(database, syslogSensor, syslogPort, connections, 500, TimeSpan.FromSeconds(3)); // warm-up
        await database.ResetAsync();
        Step($"(11) syslog TCP, {connections} connections, paced at {rate:N0} messages/s for {seconds} s");
        var paced = await SyslogLoadAsync(database, syslogSensor, syslogPort, connections, rate, TimeSpan.FromSeconds(seconds));
        rows.Add(["11", $"syslog TCP (octet counting), {connections} connections, offered {rate:N0}/s for {seconds} s (send → stored)",
            $"{paced.StoredPerSecond:N0} events/s, p50 {paced.P50Ms:N0} ms, p99 {paced.P99Ms:N0} ms", $"{paced.Stored:N0} of {paced.Sent:N0} stored",
            Verdict(paced.StoredPerSecond >= 5_000 && paced.P99Ms < 1_000 && paced.Stored == paced.Sent, "≥ 5,000/s, p99 < 1 s")]);
        await database.ResetAsync();
        Step($"(11) syslog TCP, {connections} connections, unpaced for {seconds} s");
        var unpaced = await SyslogLoadAsync(database, syslogSensor, syslogPort, connections, 0, TimeSpan.FromSeconds(seconds));
        rows.Add(["11", $"syslog TCP (octet counting), {connections} connections, as fast as they can for {seconds} s",
            $"{unpaced.StoredPerSecond:N0} events/s, p50 {unpaced.P50Ms:N0} ms, p99 {unpaced.P99Ms:N0} ms", $"{unpaced.Stored:N0} of {unpaced.Sent:N0} stored",
            "capacity (latency is the queue's)"]);
        results["syslog_tcp"] = new JsonObject { ["paced"] = Json(paced, rate), ["unpaced"] = Json(unpaced, 0), ["connections"] = connections };

        var fsync = await database.TextAsync("SHOW fsync");
        var commit = await database.TextAsync("SHOW synchronous_commit");
        results["fsync"] = fsync;
        results["synchronous_commit"] = commit;
        results["cores"] = Environment.ProcessorCount;
        results["server_version"] = await database.TextAsync("SHOW server_version");
        results["finished_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return results;
    }

    private static async Task<(long Id, string Key)> SensorAsync(HttpClient admin, string name, string format, bool withKey, string[] networks)
    {
        using var created = await admin.PostAsJsonAsync("/api/sensors/", new Dictionary<string, object>
        {
            ["name"] = name, ["kind"] = "FIREWALL", ["format"] = format, ["syslog_networks"] = networks, ["sources"] = new[] { name },
        });
        var text = await created.Content.ReadAsStringAsync();
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating sensor {name} answered {(int)created.StatusCode}: {text}");
        }

        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
        if (!withKey)
        {
            return (id, string.Empty);
        }

        using var key = await admin.PostAsJsonAsync($"/api/sensors/{id}/keys/", new Dictionary<string, string> { ["name"] = "bench" });
        key.EnsureSuccessStatusCode();
        return (id, JsonDocument.Parse(await key.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!);
    }

    private static Task<(long Id, string Key)> SyslogSensorAsync(HttpClient admin) =>
        SensorAsync(admin, "bench-syslog", "SYSLOG", withKey: false, networks: ["127.0.0.1"]);

    private static List<byte[]> Bodies(Settings settings, int events, Func<int, string> line)
    {
        var bodies = new List<byte[]>();
        for (var start = 0; start < events; start += settings.BatchSize)
        {
            var text = new StringBuilder(settings.BatchSize * 300);
            for (var i = start; i < Math.Min(events, start + settings.BatchSize); i++)
            {
                text.Append(line(i)).Append('\n');
            }

            bodies.Add(Encoding.UTF8.GetBytes(text.ToString()));
        }

        return bodies;
    }

    private static string Severity(int i) => (i % 20) switch { 0 => "CRITICAL", < 3 => "HIGH", < 8 => "MEDIUM", _ => "LOW" };

    private static int CefSeverity(int i) => (i % 20) switch { 0 => 9, < 3 => 7, < 8 => 5, _ => 2 };

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string NativeLine(int i, string source, string series = "native") =>
        "{\"source\":\"" + source + "\",\"event_type\":\"fw:deny\",\"severity\":\"" + Severity(i) +
        $"\",\"description\":\"Inbound connection blocked by rule {i % 50}\",\"source_ip\":\"203.0.{i % 250}.{i % 200}\"" +
        $",\"destination_ip\":\"10.1.{i % 100}.{i % 250}\",\"external_id\":\"{series}-{i}\"" +
        $",\"metadata\":{{\"device_vendor\":\"Acme\",\"device_product\":\"EdgeWall\",\"Rule\":\"Block {i % 50}\",\"spt\":{1024 + (i % 60000)},\"dpt\":445}}}}";

    private static string CefLine(int i, string series = "cef") =>
        $"CEF:0|Acme|EdgeWall|7.2|fw:deny|Inbound connection blocked by rule {i % 50}|{CefSeverity(i)}|src=203.0.{i % 250}.{i % 200} " +
        $"dst=10.1.{i % 100}.{i % 250} spt={1024 + (i % 60000)} dpt=445 externalId={series}-{i} cs1Label=Rule cs1=Block {i % 50}";

    private static async Task<double> IngestAsync(HttpClient client, string path, string mediaType, List<byte[]> bodies, int events)
    {
        long accepted = 0;
        var started = Stopwatch.GetTimestamp();
        foreach (var body in bodies)
        {
            accepted += await PostAsync(client, path, mediaType, body);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (accepted != events)
        {
            throw new InvalidOperationException($"{path} accepted {accepted:N0} of {events:N0} events.");
        }

        return events / elapsed.TotalSeconds;
    }

    private static async Task<long> PostAsync(HttpClient client, string path, string mediaType, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}");
        }

        using var answer = JsonDocument.Parse(text);
        if (answer.RootElement.GetProperty("rejected").GetArrayLength() > 0)
        {
            throw new InvalidOperationException($"{path} rejected items: {text[..Math.Min(600, text.Length)]}");
        }

        return answer.RootElement.GetProperty("accepted").GetInt64();
    }

    private sealed record SyslogResult(long Sent, long Stored, double Seconds, double StoredPerSecond, double P50Ms, double P99Ms);

    /// <summary>
    /// <paramref name="connections"/> TCP senders for <paramref name="duration"/>, together offering
    /// <paramref name="perSecond"/> messages a second (0: as fast as the sockets take them); then waits (at most a
    /// minute) until every message sent is stored, reading each one's send → visible time.
    /// </summary>
    private static async Task<SyslogResult> SyslogLoadAsync(Database database, long sensorId, int port, int connections, int perSecond, TimeSpan duration)
    {
        long sent = 0;
        var latencies = new List<double>();
        using var stopPolling = new CancellationTokenSource();
        var poller = PollAsync(database, sensorId, latencies, stopPolling.Token);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            var buffer = new MemoryStream();
            var perConnection = perSecond / (double)connections;
            long mine = 0;
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                // Paced: send what is due by now, in one write; unpaced: 200 messages a write.
                var due = perSecond > 0 ? (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * perConnection) - mine : 200;
                if (due <= 0)
                {
                    await Task.Delay(2);
                    continue;
                }

                buffer.SetLength(0);
                for (var i = 0; i < due; i++)
                {
                    var n = Interlocked.Increment(ref sent);
                    var message = Encoding.UTF8.GetBytes(
                        $"<{(n % 10 == 0 ? 11 : 14)}>1 {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.ffffffZ} fw{c:00} sshd {Environment.ProcessId} auth - Failed password for invalid user admin{n % 100} from 198.51.100.{n % 250} port {1024 + (n % 60000)} ssh2 #{n}");
                    buffer.Write(Encoding.ASCII.GetBytes($"{message.Length} "));
                    buffer.Write(message);
                }

                mine += due;
                await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            }
        })));

        var deadline = Stopwatch.StartNew();
        long stored;
        while ((stored = await database.ScalarAsync($"SELECT count(*) FROM events WHERE sensor_id = {sensorId}")) < sent && deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(100);
        }

        var allStoredSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.Delay(PollMilliseconds * 3);
        await stopPolling.CancelAsync();
        await poller;
        latencies.Sort();
        return new SyslogResult(
            sent,
            stored,
            allStoredSeconds,
            stored / allStoredSeconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99));
    }

    /// <summary>Every PollMilliseconds: the events stored since the last poll, each one's now − occurred_at.</summary>
    private static async Task PollAsync(Database database, long sensorId, List<double> latencies, CancellationToken stop)
    {
        long last = 0;
        while (!stop.IsCancellationRequested)
        {
            await using (var command = database.Source.CreateCommand("SELECT id, occurred_at FROM events WHERE sensor_id = $1 AND id > $2 ORDER BY id"))
            {
                command.Parameters.AddWithValue(sensorId);
                command.Parameters.AddWithValue(last);
                await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
                var now = DateTimeOffset.UtcNow;
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    last = Math.Max(last, reader.GetInt64(0));
                    latencies.Add((now - reader.GetFieldValue<DateTimeOffset>(1)).TotalMilliseconds);
                }
            }

            try
            {
                await Task.Delay(PollMilliseconds, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static JsonObject Json(SyslogResult r, int offered) => new()
    {
        ["offered_per_second"] = offered,
        ["sent"] = r.Sent,
        ["stored"] = r.Stored,
        ["stored_per_second"] = Math.Round(r.StoredPerSecond, 1),
        ["send_to_stored_p50_ms"] = Math.Round(r.P50Ms, 1),
        ["send_to_stored_p99_ms"] = Math.Round(r.P99Ms, 1),
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Step(string text) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

    private static string Verdict(bool met, string target) => $"{target}: {(met ? "met" : "MISSED")}";
}
