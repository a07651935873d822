using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ThreatPlatform.Bench;

/// <summary>
/// (9) Notifications under ingest load. While the 16-connection single-event load runs, a probe posts one CRITICAL event
/// every 200 ms from a source a rule routes to a WEBHOOK channel (a local HTTP receiver) and an EMAIL channel (a local
/// aiosmtpd, the SMTP server the tests use); the time from each probe's POST to its webhook and to its mail arriving is
/// the latency. The same load runs without any rule, with the rule, and with the rule plus a channel whose receiver
/// accepts connections and never answers, three rounds in rotated order: each median rate is compared with no rules'.
/// </summary>
internal static partial class NotificationBench
{
    private const string ProbeSource = "notify-probe";
    private static readonly string[] Recipients = ["soc@example.org"];
    private static readonly string[] CreatedOnly = ["alert.created"];
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>`BENCH_ONLY=notifications`: only this section; prints its rows and writes them into latest.json's "notifications".</summary>
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

        var result = await MeasureAsync(settings, database, load, http, rows);

        var fsync = await database.TextAsync("SHOW fsync");
        var commit = await database.TextAsync("SHOW synchronous_commit");
        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores, PostgreSQL {await database.TextAsync("SHOW server_version")} (fsync={fsync}, synchronous_commit={commit}); load generator: {load.Name}");
        ListBench.PrintTable(["#", "measurement", "result", "ratio", "target"], rows);
        var output = Path.GetFullPath(settings.Output);
        var json = File.Exists(output) ? JsonNode.Parse(await File.ReadAllTextAsync(output)) as JsonObject ?? [] : [];
        json["notifications"] = result;
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"Written to {settings.Output} (notifications)");
        return 0;
    }

    public static async Task<JsonObject> MeasureAsync(Settings settings, Database database, LoadGenerator load, HttpClient http, List<string[]> rows)
    {
        // Long enough for a few dozen probes even in quick mode.
        var duration = TimeSpan.FromSeconds(Math.Max(settings.DurationSeconds, 10));
        await using var webhook = WebhookSink.Start();
        await using var mail = await MailSink.StartAsync(ApiProcess.SmtpPort);
        await using var hanging = HangingSink.Start();

        await database.ResetAsync();
        // 15 s even in quick mode: the phases are compared with each other, so tiered compilation must be done first.
        Step("(9) warm-up of POST /api/events/, 15 s");
        await load.PostEventsAsync(16, TimeSpan.FromSeconds(15));

        var leaked = 0;
        async Task<(LoadResult Load, Probes Probes)> PhaseAsync(string what)
        {
            // wrk drops its connections at the end of a level; an ingest request aborted mid-SaveChanges has been seen to
            // leave its connection idle in a transaction holding alert row locks, which blocks the TRUNCATE below for
            // good. Ended here and counted in the table, so the run goes on and the fault stays visible.
            leaked += int.Parse(await database.TextAsync(
                "SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity WHERE datname = current_database() " +
                "AND state = 'idle in transaction' AND state_change < now() - interval '5 seconds'"), CultureInfo.InvariantCulture);
            await database.ResetAsync();
            // Alert ids start again at 1 after the reset: what arrived for the previous phase's alerts must not be
            // taken for this phase's.
            webhook.Arrivals.Clear();
            mail.Arrivals.Clear();
            Step($"(9) POST /api/events/ at 16 connections, {duration.TotalSeconds:N0} s, {what}, a CRITICAL probe every 200 ms");
            var probes = new Probes(http);
            using var stop = new CancellationTokenSource();
            var probing = probes.RunAsync(stop.Token);
            var result = await load.PostEventsAsync(16, duration);
            await stop.CancelAsync();
            await probing;
            return (result, probes);
        }

        var hook = await PostAsync(http, "/api/notifications/channels/", new { name = "bench-webhook", kind = "WEBHOOK", config = new { url = webhook.Url } });
        webhook.Secret = hook.GetProperty("config").GetProperty("secret").GetString();
        var mailChannel = await PostAsync(http, "/api/notifications/channels/", new { name = "bench-mail", kind = "EMAIL", config = new { to = Recipients } });
        var down = await PostAsync(http, "/api/notifications/channels/", new { name = "bench-down", kind = "WEBHOOK", config = new { url = hanging.Url } });
        var downId = down.GetProperty("id").GetInt64();
        // The probe's alerts only: the receivers (a Python SMTP server among them) run on the bench's own cores, so routing
        // a share of the load's CRITICAL alerts too (tens of deliveries a second) measured their CPU, not the API's.
        string[] sources = [ProbeSource];
        long[] live = [hook.GetProperty("id").GetInt64(), mailChannel.GetProperty("id").GetInt64()];
        var rule = await PostAsync(http, "/api/notifications/rules/", new
        {
            name = "bench-critical",
            is_active = false,
            events = CreatedOnly,
            min_severity = "CRITICAL",
            sources,
            channels = live,
        });
        var ruleId = rule.GetProperty("id").GetInt64();

        // Three rounds of the three conditions, the order rotated each round so that each condition runs once first,
        // once second and once last: the API keeps warming up (and PostgreSQL's caches filling) for minutes, and a fixed
        // order would credit that drift to whichever condition runs later. Rates are medians over the rounds.
        (string What, object Patch)[] conditions =
        [
            ("no notification rule", new { is_active = false }),
            ("the rule active (webhook + mail)", new { is_active = true, channels = live }),
            ("the rule also on a channel whose receiver hangs", new { is_active = true, channels = live.Append(downId).ToArray() }),
        ];
        var rates = conditions.Select(_ => new List<LoadResult>()).ToArray();
        var webhookMs = conditions.Select(_ => new List<Latencies>()).ToArray();
        var mailMs = conditions.Select(_ => new List<Latencies>()).ToArray();
        long activeSent = 0;
        async Task<long> SentAsync() => long.Parse(await database.TextAsync("SELECT count(*)::text FROM notification_deliveries WHERE status = 2"), CultureInfo.InvariantCulture);
        for (var round = 0; round < 3; round++)
        {
            for (var k = 0; k < conditions.Length; k++)
            {
                var c = (round + k) % conditions.Length;
                await PatchAsync(http, $"/api/notifications/rules/{ruleId}/", conditions[c].Patch);
                // Deliveries outlive the reset (they keep no key to alerts), so a phase's are the difference it made.
                var sentBefore = await SentAsync();
                var phase = await PhaseAsync($"round {round + 1}, {conditions[c].What}");
                rates[c].Add(phase.Load);
                if (c > 0)
                {
                    webhookMs[c].Add(await phase.Probes.LatenciesAsync(webhook.Arrivals));
                    mailMs[c].Add(await phase.Probes.LatenciesAsync(mail.Arrivals));
                }

                if (c == 1)
                {
                    activeSent += await SentAsync() - sentBefore;
                }
            }
        }

        var downFailed = await database.TextAsync($"SELECT count(*)::text FROM notification_deliveries WHERE channel_id = {downId} AND status <> 2");
        var median = rates.Select(r => r.OrderBy(l => l.PerSecond).ElementAt(r.Count / 2)).ToArray();
        var baseline = median[0].PerSecond;
        var activeShare = median[1].PerSecond / baseline;
        var downShare = median[2].PerSecond / baseline;
        var activeWebhook = Latencies.Merge(webhookMs[1]);
        var activeMail = Latencies.Merge(mailMs[1]);
        var downWebhook = Latencies.Merge(webhookMs[2]);
        var downMail = Latencies.Merge(mailMs[2]);
        string Rounds(List<LoadResult> r) => string.Join(", ", r.Select(l => l.PerSecond.ToString("N0", CultureInfo.InvariantCulture)));
        rows.Add(["9", "POST /api/events/, 16 connections, no notification rule (median of 3 rounds)",
            $"{baseline:N0} req/s (rounds {Rounds(rates[0])})", string.Empty, string.Empty]);
        rows.Add(["9", $"the same with a rule routing the probe's CRITICAL alerts to a webhook and a mail channel ({activeSent} deliveries sent in 3 rounds)",
            $"{Describe(median[1])} (rounds {Rounds(rates[1])})", $"{activeShare:P0} of no rule", Verdict(activeShare >= 0.95, "≥ 95 %")]);
        rows.Add(["9", $"the same with a third channel whose receiver hangs ({downFailed} deliveries to it unsent)",
            $"{Describe(median[2])} (rounds {Rounds(rates[2])})", $"{downShare:P0} of no rule", Verdict(downShare >= 0.95, "≥ 95 %")]);
        rows.Add(["9", "CRITICAL event POST → signed webhook at a local receiver, during that ingest", activeWebhook.Describe(), string.Empty,
            Verdict(activeWebhook.Complete && activeWebhook.P99Ms < 1000, "all arrive, p99 < 1 s")]);
        rows.Add(["9", "CRITICAL event POST → mail at a local SMTP server (aiosmtpd), during that ingest", activeMail.Describe(), string.Empty,
            Verdict(activeMail.Complete && activeMail.P99Ms < 3000, "all arrive, p99 < 3 s")]);
        rows.Add(["9", "… webhook, while a third channel's receiver hangs", downWebhook.Describe(), string.Empty, string.Empty]);
        rows.Add(["9", "… mail, while a third channel's receiver hangs", downMail.Describe(), string.Empty, string.Empty]);
        if (leaked > 0)
        {
            rows.Add(["9", "API connections left idle in a transaction after wrk aborted requests (ended by the bench)", $"{leaked}", string.Empty, "0: MISSED"]);
        }

        return new JsonObject
        {
            ["connections"] = 16,
            ["seconds_per_phase"] = duration.TotalSeconds,
            ["rounds"] = 3,
            ["no_rule_per_second"] = Math.Round(baseline, 1),
            ["no_rule"] = Json(median[0]),
            ["rule_active"] = Json(median[1]),
            ["rule_active_share"] = Math.Round(activeShare, 3),
            ["receiver_down"] = Json(median[2]),
            ["receiver_down_share"] = Math.Round(downShare, 3),
            ["webhook_latency"] = activeWebhook.Json(),
            ["mail_latency"] = activeMail.Json(),
            ["webhook_latency_receiver_down"] = downWebhook.Json(),
            ["mail_latency_receiver_down"] = downMail.Json(),
            ["deliveries_sent_rule_active"] = activeSent,
            ["leaked_idle_in_transaction"] = leaked,
        };
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task PatchAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PatchAsync(new Uri(path, UriKind.Relative), JsonBody(body));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PATCH {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static StringContent JsonBody(object body) => new(
        JsonSerializer.Serialize(body, SnakeCase), Encoding.UTF8, "application/json");

    /// <summary>CRITICAL events from the probe source, one every 200 ms: the alert each raised and when its POST started.</summary>
    private sealed class Probes(HttpClient http)
    {
        private readonly ConcurrentDictionary<long, long> _posted = new();
        private int _sent;

        public async Task RunAsync(CancellationToken stop)
        {
            var run = Guid.NewGuid().ToString("N")[..8];
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    var n = Interlocked.Increment(ref _sent);
                    var body = $$"""{"source":"{{ProbeSource}}","event_type":"notify_probe_{{n}}","severity":"CRITICAL","description":"notification latency probe {{n}}","source_ip":"192.0.2.10","external_id":"probe-{{run}}-{{n}}"}""";
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsync(new Uri("/api/events/", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken.None);
                    if (response.IsSuccessStatusCode)
                    {
                        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
                        if (answer.RootElement.GetProperty("alert_id").ValueKind == JsonValueKind.Number)
                        {
                            _posted[answer.RootElement.GetProperty("alert_id").GetInt64()] = started;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        /// <summary>POST → arrival per probe, waiting up to 30 s after the load for stragglers.</summary>
        public async Task<Latencies> LatenciesAsync(ConcurrentDictionary<long, long> arrivals)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            bool Arrived(KeyValuePair<long, long> probe) => arrivals.TryGetValue(probe.Key, out var at) && at >= probe.Value;
            while (DateTime.UtcNow < deadline && _posted.Any(p => !Arrived(p)))
            {
                await Task.Delay(100);
            }

            var ms = _posted.Where(Arrived)
                .Select(p => Stopwatch.GetElapsedTime(p.Value, arrivals[p.Key]).TotalMilliseconds)
                .Order()
                .ToList();
            return new Latencies(_posted.Count, ms);
        }
    }

    private sealed record Latencies(int Probes, List<double> SortedMs)
    {
        public static Latencies Merge(List<Latencies> parts) =>
            new(parts.Sum(p => p.Probes), parts.SelectMany(p => p.SortedMs).Order().ToList());

        public bool Complete => Probes > 0 && SortedMs.Count == Probes;
        public double P50Ms => Percentile(0.50);
        public double P99Ms => Percentile(0.99);

        private double Percentile(double p) => SortedMs.Count == 0 ? 0 : SortedMs[Math.Min(SortedMs.Count - 1, (int)Math.Ceiling(p * SortedMs.Count) - 1)];

        public string Describe() => SortedMs.Count == 0
            ? $"none of {Probes} arrived"
            : $"p50 {P50Ms:N0} ms, p99 {P99Ms:N0} ms, max {SortedMs[^1]:N0} ms ({SortedMs.Count} of {Probes} arrived)";

        public JsonObject Json() => new()
        {
            ["probes"] = Probes,
            ["arrived"] = SortedMs.Count,
            ["p50_ms"] = Math.Round(P50Ms, 1),
            ["p99_ms"] = Math.Round(P99Ms, 1),
            ["max_ms"] = SortedMs.Count == 0 ? null : Math.Round(SortedMs[^1], 1),
        };
    }

    /// <summary>A webhook receiver on 127.0.0.1 that checks the Standard Webhooks signature and notes when each alert arrived.</summary>
    private sealed class WebhookSink : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private Task _serving = Task.CompletedTask;

        public ConcurrentDictionary<long, long> Arrivals { get; } = new();

        public string Url { get; private set; } = string.Empty;

        public string? Secret { get; set; }

        public long BadSignatures;

        public static WebhookSink Start()
        {
            var sink = new WebhookSink();
            var port = FreePort();
            sink.Url = $"http://127.0.0.1:{port}/hook/";
            sink._listener.Prefixes.Add(sink.Url);
            sink._listener.Start();
            sink._serving = Task.Run(sink.ServeAsync);
            return sink;
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(() => Handle(context));
            }
        }

        private void Handle(HttpListenerContext context)
        {
            var arrived = Stopwatch.GetTimestamp();
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = reader.ReadToEnd();
            var id = context.Request.Headers["webhook-id"] ?? string.Empty;
            var timestamp = context.Request.Headers["webhook-timestamp"] ?? string.Empty;
            if (!Verifies(id, timestamp, context.Request.Headers["webhook-signature"] ?? string.Empty, body))
            {
                Interlocked.Increment(ref BadSignatures);
            }
            else if (JsonNode.Parse(body)?["data"]?["alert"]?["id"]?.GetValue<long>() is { } alert)
            {
                Arrivals.TryAdd(alert, arrived);
            }

            context.Response.StatusCode = 204;
            context.Response.Close();
        }

        private bool Verifies(string id, string timestamp, string header, string body)
        {
            if (Secret is null)
            {
                return false;
            }

            var key = Convert.FromBase64String(Secret["whsec_".Length..]);
            var expected = System.Security.Cryptography.HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
            return header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(entry => entry.StartsWith("v1,", StringComparison.Ordinal)
                && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(entry[3..]), expected));
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
            _listener.Close();
        }
    }

    /// <summary>aiosmtpd (Debian's python3-aiosmtpd) printing each message: the Subject line names the alert.</summary>
    private sealed partial class MailSink : IAsyncDisposable
    {
        private readonly Process _process;

        private MailSink(Process process) => _process = process;

        public ConcurrentDictionary<long, long> Arrivals { get; } = new();

        public static async Task<MailSink> StartAsync(int port)
        {
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { "-u", "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("aiosmtpd did not start (apt-get install python3-aiosmtpd).");
            var sink = new MailSink(process);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && SubjectPattern().Match(line) is { Success: true } match)
                {
                    sink.Arrivals.TryAdd(long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), Stopwatch.GetTimestamp());
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return sink;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(100);
                }
            }
        }

        [GeneratedRegex(@"^Subject: .*\(alert #(\d+)\)")]
        private static partial Regex SubjectPattern();

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }

    /// <summary>A receiver that is down the worst way: it accepts connections and never answers.</summary>
    private sealed class HangingSink : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<TcpClient> _held = [];
        private Task _accepting = Task.CompletedTask;

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";

        public static HangingSink Start()
        {
            var sink = new HangingSink();
            sink._listener.Start();
            sink._accepting = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        sink._held.Add(await sink._listener.AcceptTcpClientAsync());
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            });
            return sink;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
            foreach (var client in _held)
            {
                client.Dispose();
            }

            _listener.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Step(string text) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {text}");

    private static string Verdict(bool met, string target) => $"{target}: {(met ? "met" : "MISSED")}";

    private static string Describe(LoadResult r) => r.Note ?? $"{r.PerSecond:N0} req/s, p50 {r.P50Ms:N1} ms, p99 {r.P99Ms:N1} ms" + (r.Errors > 0 ? $", {r.Errors:N0} errors" : string.Empty);

    private static JsonObject Json(LoadResult r) => new()
    {
        ["requests"] = r.Requests,
        ["seconds"] = Math.Round(r.Seconds, 2),
        ["per_second"] = Math.Round(r.PerSecond, 1),
        ["p50_ms"] = Math.Round(r.P50Ms, 2),
        ["p99_ms"] = Math.Round(r.P99Ms, 2),
        ["errors"] = r.Errors,
    };

}
