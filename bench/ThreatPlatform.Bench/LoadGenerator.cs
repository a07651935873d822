using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ThreatPlatform.Bench;

/// <summary>
/// HTTP load at a fixed number of connections for a fixed time. wrk (C, event loop, keep-alive, HdrHistogram
/// latencies) when it is installed: it costs far less CPU per request than a .NET client, which matters when the
/// generator, the API and PostgreSQL share two cores. Otherwise a small HttpClient loop, one task per connection.
/// </summary>
internal sealed class LoadGenerator(Settings settings, Uri baseAddress, string accessToken)
{
    public string Name => settings.LoadGenerator == "wrk" ? $"wrk ({WrkVersion()})" : "HttpClient (C#, one task per connection)";

    /// <summary>POST /api/events/ with a different event in every request.</summary>
    public Task<LoadResult> PostEventsAsync(int connections, TimeSpan duration) =>
        settings.LoadGenerator == "wrk"
            ? WrkAsync(connections, duration, PostEventScript)
            : HttpClientAsync(connections, duration, i =>
            {
                var json = new StringBuilder(512);
                Data.WriteJson(json, Data.Event(i, $"api{connections}") with { ExternalId = $"api{connections}-{Guid.NewGuid():N}" });
                return new HttpRequestMessage(HttpMethod.Post, "/api/events/") { Content = new StringContent(json.ToString(), Encoding.UTF8, "application/json") };
            });

    /// <summary>
    /// POST /api/events/ with the events of <see cref="Data.Event"/> (the ones raw COPY, raw INSERT and batch ingest store),
    /// each request a new one with a unique external_id. With wrk, <paramref name="distinct"/> bodies are rendered into
    /// its script and cycled through, the external_id made unique per thread and request.
    /// </summary>
    public Task<LoadResult> PostDataEventsAsync(int connections, TimeSpan duration, string series, int distinct = 4_096)
    {
        if (settings.LoadGenerator != "wrk")
        {
            return PostEventsAsync(connections, duration);
        }

        var script = new StringBuilder(distinct * 600).Append("local prefixes = {\n");
        for (var i = 0; i < distinct; i++)
        {
            var json = new StringBuilder(600);
            Data.WriteJson(json, Data.Event(i, series));
            // The body ends with "external_id":"<id>"}: the script writes its own id there.
            var body = json.ToString();
            var cut = body.LastIndexOf("\"external_id\":\"", StringComparison.Ordinal) + "\"external_id\":\"".Length;
            script.Append("[==[").Append(body.AsSpan(0, cut)).Append("]==],\n");
        }

        script.Append($$"""
            }
            local counter = 0
            local thread_id = 0
            function setup(thread)
              thread_id = thread_id + 1
              thread:set("tid", thread_id)
            end
            function request()
              counter = counter + 1
              local body = prefixes[counter % {{distinct}} + 1] .. "{{series}}-" .. run_id .. "-" .. tid .. "-" .. counter .. '"}'
              return wrk.format("POST", "/api/events/", nil, body)
            end
            """);
        return WrkAsync(connections, duration, script.ToString());
    }

    /// <summary>GET of one path, again and again.</summary>
    public Task<LoadResult> GetAsync(string pathAndQuery, int connections, TimeSpan duration) =>
        settings.LoadGenerator == "wrk"
            ? WrkAsync(connections, duration, GetScript(pathAndQuery))
            : HttpClientAsync(connections, duration, _ => new HttpRequestMessage(HttpMethod.Get, pathAndQuery));

    // Every request a new event: rotating severities (so half of them raise an alert, as in the batch phase), sources
    // and addresses, and a unique external_id per thread and request.
    private const string PostEventScript = """
        local counter = 0
        local thread_id = 0
        local severities = {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
        local types = {"port_scan", "brute_force", "malware_detected", "dns_tunnel", "c2_beacon"}
        function setup(thread)
          thread_id = thread_id + 1
          thread:set("tid", thread_id)
        end
        function request()
          counter = counter + 1
          local body = string.format(
            '{"source":"wrk-sensor-%d","event_type":"%s","severity":"%s","description":"wrk event %d from thread %d: outbound beacon blocked by rule %d","source_ip":"10.%d.%d.%d","destination_ip":"192.168.1.%d","metadata":{"seq":%d,"thread":%d},"external_id":"wrk-%s-%d-%d"}',
            counter % 97, types[counter % 5 + 1], severities[counter % 4 + 1], counter, tid, counter % 5000,
            tid, counter % 250, counter % 199 + 1, counter % 250 + 1, counter, tid, run_id, tid, counter)
          return wrk.format("POST", "/api/events/", nil, body)
        end
        """;

    private static string GetScript(string pathAndQuery) => $$"""
        function request()
          return wrk.format("GET", "{{pathAndQuery}}", nil, nil)
        end
        """;

    private const string ReportScript = """
        function done(summary, latency, requests)
          local e = summary.errors
          io.write(string.format('WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "status_errors": %d, "other_errors": %d}\n',
            summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
        end
        """;

    private async Task<LoadResult> WrkAsync(int connections, TimeSpan duration, string script)
    {
        var file = Path.Combine(Path.GetTempPath(), $"tp-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.lua");
        var runId = Guid.NewGuid().ToString("N")[..8];
        await File.WriteAllTextAsync(file, $"""
            run_id = "{runId}"
            wrk.headers["Authorization"] = "Bearer {accessToken}"
            wrk.headers["Content-Type"] = "application/json"
            {script}
            {ReportScript}
            """);
        try
        {
            var threads = Math.Min(connections, 2);
            var start = new ProcessStartInfo("wrk")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", $"{(int)duration.TotalSeconds}s", "--timeout", "10s", "-s", file, baseAddress.ToString().TrimEnd('/'),
            })
            {
                start.ArgumentList.Add(arg);
            }

            using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
            var output = await wrk.StandardOutput.ReadToEndAsync();
            var error = await wrk.StandardError.ReadToEndAsync();
            await wrk.WaitForExitAsync();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRK_RESULT ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"wrk printed no result: {output} {error}");
            using var result = JsonDocument.Parse(line["WRK_RESULT ".Length..]);
            var root = result.RootElement;
            return new LoadResult(
                root.GetProperty("requests").GetInt64(),
                root.GetProperty("duration_us").GetInt64() / 1e6,
                root.GetProperty("p50_us").GetInt64() / 1000.0,
                root.GetProperty("p99_us").GetInt64() / 1000.0,
                root.GetProperty("status_errors").GetInt64() + root.GetProperty("other_errors").GetInt64());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<LoadResult> HttpClientAsync(int connections, TimeSpan duration, Func<int, HttpRequestMessage> requestFor)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long errors = 0;
        var counter = 0;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, connections).Select(async _ =>
        {
            var latencies = new List<double>(50_000);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                using var request = requestFor(Interlocked.Increment(ref counter));
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }

            return latencies;
        }).ToList();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToList();
        return LoadResult.From(all, Stopwatch.GetElapsedTime(started), errors);
    }

    private static string WrkVersion()
    {
        try
        {
            using var wrk = Process.Start(new ProcessStartInfo("wrk", "-v") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            var text = wrk!.StandardOutput.ReadToEnd() + wrk.StandardError.ReadToEnd();
            wrk.WaitForExit();
            return text.Split('\n')[0].Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "wrk";
        }
    }
}
