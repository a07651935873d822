namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Lists' filters seen matching more than <see cref="Paging.Paging.CountCap"/> rows a moment ago, kept per process
/// for a few seconds (Lists:CappedCountSeconds). While a filter is remembered its count answers "10,000, not exact"
/// without counting again: the count of a broad filter (ten thousand index entries, or ten thousand rechecks of a
/// broad search's text) was most of a queue page's cost, and a console polls the same queue every few seconds. Only
/// the capped answer is remembered: an exact count is always counted.
/// </summary>
public interface ICappedCounts
{
    /// <summary>
    /// Whether <paramref name="key"/> was capped within the time kept. When that time has just run out, the first caller
    /// is told no (it counts and <see cref="Record"/>s) while the others keep the capped answer until it has: one recount
    /// per key at a time, not one per concurrent request.
    /// </summary>
    bool IsKnownCapped(string key);

    /// <summary>What a count of <paramref name="key"/> found: capped (kept) or not (forgotten).</summary>
    void Record(string key, bool capped);
}
