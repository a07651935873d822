using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.Domain.Sensors;

/// <summary>
/// A machine that reports events (firewall, IDS, EDR, AI model). It authenticates with API keys, owns the event sources
/// it writes, and can be switched off: an inactive sensor's keys stop working.
/// </summary>
public sealed class Sensor : Entity
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 2_000;
    public const int SourceMaxLength = SecurityEvent.SourceMaxLength;
    public const int MaxSources = 100;

    private readonly List<SensorSource> _sources = [];

    private Sensor()
    {
        Name = null!;
        NormalizedName = null!;
        Description = null!;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }

    /// <summary>Lower-cased name; the unique index lives on it, so names are unique case-insensitively.</summary>
    public string NormalizedName { get; private set; }
    public SensorKind Kind { get; private set; }
    public string Description { get; private set; }
    public bool IsActive { get; private set; }

    /// <summary>Whether this sensor's severe events fold into an open alert with the same fingerprint (stored only, for now).</summary>
    public bool Grouping { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The event sources this sensor owns.</summary>
    public IReadOnlyCollection<SensorSource> Sources => _sources;

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    /// <summary>A new, active sensor; it owns <paramref name="sources"/>, or when none are given its own name.</summary>
    public static Sensor Create(string name, SensorKind kind, string? description, IReadOnlyCollection<string>? sources, bool? grouping, DateTimeOffset at)
    {
        var sensor = new Sensor
        {
            Name = name.Trim(),
            NormalizedName = Normalize(name),
            Kind = kind,
            Description = description?.Trim() ?? string.Empty,
            IsActive = true,
            Grouping = grouping ?? true,
            CreatedAt = at,
        };
        sensor.ReplaceSources(sources is { Count: > 0 } ? sources : [sensor.Name]);
        return sensor;
    }

    /// <summary>An admin's change; absent (null) parts stay as they are.</summary>
    public void Update(string? description, IReadOnlyCollection<string>? sources, bool? isActive, bool? grouping)
    {
        if (description is not null)
        {
            Description = description.Trim();
        }

        if (sources is not null)
        {
            ReplaceSources(sources);
        }

        IsActive = isActive ?? IsActive;
        Grouping = grouping ?? Grouping;
    }

    /// <summary>The sources as given (trimmed, each once); those already owned keep their row, so nothing churns.</summary>
    private void ReplaceSources(IReadOnlyCollection<string> sources)
    {
        var wanted = sources.Select(s => s.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count > MaxSources)
        {
            throw new ArgumentException($"A sensor owns at most {MaxSources} sources.", nameof(sources));
        }

        _sources.RemoveAll(s => !wanted.Contains(s.Source, StringComparer.Ordinal));
        foreach (var source in wanted.Where(w => !_sources.Exists(s => s.Source == w)))
        {
            _sources.Add(new SensorSource(source));
        }
    }
}
