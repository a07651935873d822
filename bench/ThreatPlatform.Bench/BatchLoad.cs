using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ThreatPlatform.Bench;

/// <summary>
/// `POST /api/events/batch/` from one or more clients: the bodies are built from <see cref="Data.Event"/> before the
/// clock starts, then each client sends batch after batch until all are stored. Used by (12).
/// </summary>
internal static class BatchLoad
{
    /// <summary>Throw-away batches sent before the clock starts, for at most <see cref="WarmUpLimit"/>.</summary>
    private const int WarmUpBatches = 20;

    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(15);

    /// <summary>Events per second for <see cref="Settings.Events"/> events in batches of <see cref="Settings.BatchSize"/>.</summary>
    public static async Task<double> RunAsync(Settings settings, Database database, HttpClient http, int clients, string series)
    {
        var bodies = Bodies(settings, settings.Events, series);

        // Warm-up on throw-away batches (other external ids), then an empty table again. One batch is not enough: the
        // API has just started, and until tiered compilation has recompiled the batch path the JIT took about half of
        // the API's CPU samples (perf, BENCH_QUICK=1), which measured the compiler rather than batch ingest.
        var warmUp = Stopwatch.StartNew();
        foreach (var body in Bodies(settings, WarmUpBatches * settings.BatchSize, series + "-warm"))
        {
            await PostAsync(http, body);
            if (warmUp.Elapsed > WarmUpLimit)
            {
                break;
            }
        }

        await database.ResetAsync();

        var next = -1;
        long accepted = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bodies.Count)
            {
                Interlocked.Add(ref accepted, await PostAsync(http, bodies[index]));
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (accepted != settings.Events)
        {
            throw new InvalidOperationException($"Batch ingest accepted {accepted:N0} of {settings.Events:N0} events.");
        }

        return settings.Events / elapsed.TotalSeconds;
    }

    /// <summary>JSON array bodies of <paramref name="events"/> events of <paramref name="series"/>, <see cref="Settings.BatchSize"/> each.</summary>
    private static List<byte[]> Bodies(Settings settings, int events, string series)
    {
        var bodies = new List<byte[]>();
        for (var start = 0; start < events; start += settings.BatchSize)
        {
            var json = new StringBuilder(settings.BatchSize * 600).Append('[');
            for (var i = start; i < Math.Min(events, start + settings.BatchSize); i++)
            {
                if (i > start)
                {
                    json.Append(',');
                }

                Data.WriteJson(json, Data.Event(i, series));
            }

            bodies.Add(Encoding.UTF8.GetBytes(json.Append(']').ToString()));
        }

        return bodies;
    }

    /// <summary>One batch body to POST /api/events/batch/; the events it accepted.</summary>
    internal static async Task<long> PostAsync(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri("/api/events/batch/", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Batch ingest answered {(int)response.StatusCode}: {text}");
        }

        using var answer = JsonDocument.Parse(text);
        return answer.RootElement.GetProperty("accepted").GetInt64();
    }
}
