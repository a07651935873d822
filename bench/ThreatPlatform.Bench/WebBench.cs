using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ThreatPlatform.Bench;

/// <summary>
/// `make bench-web`: the console's budget on this machine. Seeds BENCH_ALERTS alerts (COPY, as `make bench` (5) does)
/// into the database the API serves, then lets web/bench/queue-timing.mjs drive Debian's Chromium: the time from
/// navigation to the queue's first row on screen, and the gzipped size of the JavaScript the first page loads.
/// </summary>
internal static class WebBench
{
    public static async Task<int> RunAsync(Settings settings, Database database, ApiProcess api)
    {
        Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] seeding {settings.Alerts:N0} alerts and their events with COPY");
        var seeding = await database.SeedAlertsAsync(settings.Alerts);
        Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] seeded in {seeding.TotalSeconds:N0} s; measuring the console in Chromium");

        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(settings.ApiDll)!, "..", "..", "..", "..", ".."));
        var start = new ProcessStartInfo("node", [Path.Combine(root, "web", "bench", "queue-timing.mjs")])
        {
            WorkingDirectory = Path.Combine(root, "web"),
            RedirectStandardOutput = true,
        };
        start.Environment["BENCH_WEB_URL"] = api.BaseAddress.ToString().TrimEnd('/');
        start.Environment["BENCH_WEB_USER"] = "bench";
        start.Environment["BENCH_WEB_PASSWORD"] = ApiProcess.AdminPassword;
        start.Environment["BENCH_WEB_ALERTS"] = settings.Alerts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        Console.Write(output);
        if (node.ExitCode != 0)
        {
            return node.ExitCode;
        }

        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        var result = JsonNode.Parse(last)!.AsObject();
        result["alerts"] = settings.Alerts;
        result["seed_seconds"] = Math.Round(seeding.TotalSeconds, 1);
        var path = Path.Combine(Path.GetDirectoryName(settings.Output)!, "web.json");
        await File.WriteAllTextAsync(path, result.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"written to {path}");
        return 0;
    }
}
