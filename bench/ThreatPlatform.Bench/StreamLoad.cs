using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ThreatPlatform.Bench;

/// <summary>What (7) measured: how many clients were connected, what each saw, and the API's memory meanwhile.</summary>
internal sealed record StreamResult(
    int Clients,
    int Connected,
    int Alerts,
    long Deliveries,
    long Expected,
    double P50Ms,
    double P99Ms,
    double MaxRssMiB,
    string? Note = null);

/// <summary>
/// (7) Many live alert streams on one API host: <c>clients</c> SSE connections held open at once, then HIGH events
/// posted one after another at a steady rate; every client should see every alert. Delivery time is from just before
/// the event's POST was sent to the moment a client read the alert's frame (so it includes the ingest itself).
/// </summary>
internal sealed class StreamLoad(Uri baseAddress, string accessToken, Func<double> apiRssMiB)
{
    private static readonly byte[] IdField = "\"id\":"u8.ToArray();

    public async Task<StreamResult> RunAsync(int clients, int alerts, double alertsPerSecond)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clients + 16,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var stop = new CancellationTokenSource();
        var received = new ConcurrentBag<(long AlertId, long At)>();
        var connected = 0;
        var failures = 0;

        // Connect every client (64 at a time, as a crowd of consoles opening would), each then reading until stopped.
        var readers = new List<Task>(clients);
        using (var opening = new SemaphoreSlim(64))
        {
            var opened = new List<Task>(clients);
            for (var i = 0; i < clients; i++)
            {
                await opening.WaitAsync();
                var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                readers.Add(Task.Run(() => ReadAsync(http, ready, received, stop.Token)));
                opened.Add(ready.Task.ContinueWith(t =>
                {
                    opening.Release();
                    if (t.IsCompletedSuccessfully)
                    {
                        Interlocked.Increment(ref connected);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }
                }, TaskScheduler.Default));
            }

            await Task.WhenAll(opened);
        }

        if (connected == 0)
        {
            await stop.CancelAsync();
            return new StreamResult(clients, 0, 0, 0, 0, 0, 0, apiRssMiB(), $"n/a: no stream opened ({failures} failed)");
        }

        var maxRss = apiRssMiB();
        var sentAt = new ConcurrentDictionary<long, long>();
        using var sender = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        sender.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var interval = TimeSpan.FromSeconds(1 / alertsPerSecond);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < alerts; i++)
        {
            var due = started + (long)(i * interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var json = new StringBuilder(512);
            Data.WriteJson(json, Data.Event(i, "stream", ThreatPlatform.Domain.SecurityEvents.Severity.High) with { ExternalId = $"stream-{runId}-{i}" });
            var sent = Stopwatch.GetTimestamp();
            using var response = await sender.PostAsync(new Uri("/api/events/", UriKind.Relative), new StringContent(json.ToString(), Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST /api/events/ answered {(int)response.StatusCode}: {text}");
            }

            using var body = JsonDocument.Parse(text);
            sentAt[body.RootElement.GetProperty("alert_id").GetInt64()] = sent;
            maxRss = Math.Max(maxRss, apiRssMiB());
        }

        // Every client has had its chance to see the last alert (or the measurement says how many it missed).
        var expected = (long)connected * alerts;
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (received.Count < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
            maxRss = Math.Max(maxRss, apiRssMiB());
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        var latencies = received
            .Where(r => sentAt.ContainsKey(r.AlertId))
            .Select(r => Stopwatch.GetElapsedTime(sentAt[r.AlertId], r.At).TotalMilliseconds)
            .ToList();
        var result = LoadResult.From(latencies, TimeSpan.Zero, 0);
        return new StreamResult(clients, connected, alerts, latencies.Count, expected, result.P50Ms, result.P99Ms, maxRss,
            failures > 0 ? $"{failures} of {clients} streams failed to open" : null);
    }

    private static async Task ReadAsync(HttpClient http, TaskCompletionSource ready, ConcurrentBag<(long, long)> received, CancellationToken stop)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts/stream/");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            if (!response.IsSuccessStatusCode)
            {
                ready.TrySetException(new InvalidOperationException($"The stream answered {(int)response.StatusCode}."));
                return;
            }

            await using var body = await response.Content.ReadAsStreamAsync(stop);
            ready.TrySetResult();
            var buffer = new byte[16 * 1024];
            var line = new List<byte>(2048);
            int read;
            while ((read = await body.ReadAsync(buffer, stop)) > 0)
            {
                var at = Stopwatch.GetTimestamp();
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        line.Add(buffer[i]);
                        continue;
                    }

                    if (AlertIdOf(line) is { } alertId)
                    {
                        received.Add((alertId, at));
                    }

                    line.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            ready.TrySetException(e);
        }
    }

    /// <summary>The alert id of a <c>data:</c> line (the alert's first field), without parsing the whole JSON.</summary>
    private static long? AlertIdOf(List<byte> line)
    {
        if (line.Count < 6 || line[0] != (byte)'d' || line[4] != (byte)':')
        {
            return null;
        }

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line);
        var at = span.IndexOf(IdField);
        if (at < 0)
        {
            return null;
        }

        var digits = span[(at + IdField.Length)..];
        var end = digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return long.Parse(Encoding.ASCII.GetString(end < 0 ? digits : digits[..end]), CultureInfo.InvariantCulture);
    }
}
