namespace ThreatPlatform.Bench;

/// <summary>Throughput and latency of one load level.</summary>
internal sealed record LoadResult(long Requests, double Seconds, double P50Ms, double P99Ms, long Errors, string? Note = null)
{
    public double PerSecond => Seconds > 0 ? Requests / Seconds : 0;

    public static LoadResult From(List<double> latenciesMs, TimeSpan elapsed, long errors)
    {
        latenciesMs.Sort();
        return new LoadResult(latenciesMs.Count, elapsed.TotalSeconds, Percentile(latenciesMs, 0.50), Percentile(latenciesMs, 0.99), errors);
    }

    public static LoadResult Skipped(string note) => new(0, 0, 0, 0, 0, note);

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
