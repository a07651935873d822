namespace ThreatPlatform.Domain.Sensors;

/// <summary>An event source a sensor owns: only that sensor's keys may write events of it. A source has one owner.</summary>
public sealed class SensorSource
{
    private SensorSource()
    {
        Source = null!;
    }

    internal SensorSource(string source) => Source = source;

    public string Source { get; private set; }
    public long SensorId { get; private set; }
}
