using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.Sensors;

/// <summary>
/// Who may write events of a source: a source a sensor owns only with that sensor's keys; a key only the sources its
/// sensor owns; a user token only sources no sensor owns. The one place this rule lives (single and batch ingest ask it).
/// </summary>
public static class SourceOwnership
{
    /// <summary>Null when the caller may write the source, else why not.</summary>
    /// <param name="owner">The sensor that owns the source, or null.</param>
    /// <param name="callerSensor">The sensor whose key is calling, or null for a user token.</param>
    public static string? Refusal(long? owner, long? callerSensor) => (owner, callerSensor) switch
    {
        (null, null) => null,
        ({ } o, { } c) when o == c => null,
        (null, not null) => "This sensor does not own the source; an admin adds it to the sensor's sources first.",
        (not null, null) => "The source is owned by a sensor: only that sensor's API keys may write it.",
        _ => "The source is owned by another sensor.",
    };

    /// <summary>Throws <see cref="SourceNotOwned"/> (403) when the caller may not write the source.</summary>
    public static void EnsureMayWrite(long? owner, long? callerSensor)
    {
        if (Refusal(owner, callerSensor) is { } refusal)
        {
            throw new SourceNotOwned(refusal);
        }
    }
}

/// <summary>The caller may not write events of this source (403 naming <c>source</c>).</summary>
public sealed class SourceNotOwned(string message) : Forbidden(message, nameof(SecurityEvent.Source));
