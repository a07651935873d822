using System.Globalization;

namespace ThreatPlatform.Bench;

/// <summary>Every knob comes from the environment (scripts/bench.sh and `make bench VAR=…` pass them through).</summary>
internal sealed record Settings
{
    public required string ServerConnectionString { get; init; }
    public required string ApiDll { get; init; }
    public required string SigningKey { get; init; }
    public required bool Quick { get; init; }
    public required int Events { get; init; }
    public required int BatchSize { get; init; }
    public required IReadOnlyList<int> BatchClients { get; init; }
    public required int Alerts { get; init; }

    /// <summary>Events in the list section's seed: the alerts' own, then events that raised none up to this total.</summary>
    public required int ListEvents { get; init; }
    public required int DurationSeconds { get; init; }
    public required IReadOnlyList<int> Connections { get; init; }
    public required string LoadGenerator { get; init; }
    public required string Output { get; init; }
    public required string ApiLog { get; init; }
    public required IReadOnlyList<string> Searches { get; init; }
    public required int StreamClients { get; init; }
    public required int StreamAlerts { get; init; }
    public required double StreamAlertsPerSecond { get; init; }

    public static Settings FromEnvironment(string[] args)
    {
        var quick = Env("BENCH_QUICK") is "1" or "true" or "yes";
        var apiDll = args.Length > 0 ? args[0] : Env("BENCH_API_DLL") ?? throw new InvalidOperationException("Pass the path of ThreatPlatform.WebApi.dll.");
        var server = Env("ConnectionStrings__Default")
            ?? throw new InvalidOperationException("ConnectionStrings__Default is not set: run through scripts/bench.sh (make bench).");
        return new Settings
        {
            ServerConnectionString = server,
            ApiDll = Path.GetFullPath(apiDll),
            SigningKey = Env("Jwt__SigningKey") ?? throw new InvalidOperationException("Jwt__SigningKey is not set: run through scripts/bench.sh."),
            Quick = quick,
            Events = Int("BENCH_EVENTS", quick ? 20_000 : 200_000),
            BatchSize = Int("BENCH_BATCH_SIZE", 1_000),
            BatchClients = Ints("BENCH_BATCH_CLIENTS", "1,2"),
            Alerts = Int("BENCH_ALERTS", quick ? 50_000 : 1_000_000),
            ListEvents = Int("BENCH_LIST_EVENTS", 0),
            DurationSeconds = Int("BENCH_DURATION", quick ? 3 : 15),
            Connections = Ints("BENCH_CONNECTIONS", "1,16,64"),
            LoadGenerator = Env("BENCH_LOADGEN") ?? (OnPath("wrk") ? "wrk" : "dotnet"),
            Output = Env("BENCH_OUTPUT") ?? Path.Combine("bench", "results", "latest.json"),
            ApiLog = Env("BENCH_API_LOG") ?? Path.Combine("bench", "results", "api.log"),
            // A broad word (in about one event description in six) and a selective one (one sensor of 600).
            Searches = (Env("BENCH_SEARCH") ?? "exfiltration,ids-core-117").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            StreamClients = Int("BENCH_STREAM_CLIENTS", 1_000),
            StreamAlerts = Int("BENCH_STREAM_ALERTS", quick ? 50 : 200),
            StreamAlertsPerSecond = Int("BENCH_STREAM_RATE", 20),
        };
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static int[] Ints(string name, string fallback) =>
        (Env(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();

    private static int Int(string name, int fallback) =>
        Env(name) is { } text ? int.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, program)));
}
