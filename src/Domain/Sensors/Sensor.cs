using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;

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
    public const int MaxSyslogNetworks = 100;

    /// <summary>The longest CIDR text <see cref="TryNormalizeNetwork"/> reads: an IPv6 address with an IPv4 tail and a /128.</summary>
    public const int NetworkMaxLength = 49;

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

    /// <summary>The language the sensor reports in on the raw endpoint and over syslog (NATIVE: the event JSON).</summary>
    public EventFormat Format { get; private set; }

    /// <summary>The CIDR ranges (canonical text, e.g. <c>10.0.0.0/8</c>) the syslog listener accepts this sensor's messages from.</summary>
    public IReadOnlyList<string> SyslogNetworks { get; private set; } = [];

    // The Sigma logsource this sensor's events come from (each optional): a detection rule naming a logsource field
    // applies to the sensor's events only when the sensor's field equals it.
    public string? LogsourceProduct { get; private set; }
    public string? LogsourceCategory { get; private set; }
    public string? LogsourceService { get; private set; }

    /// <summary>Sets the Sigma logsource (null fields: not named); lower-cased, as Sigma writes them.</summary>
    public void SetLogsource(string? product, string? category, string? service)
    {
        LogsourceProduct = Clean(product);
        LogsourceCategory = Clean(category);
        LogsourceService = Clean(service);

        static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant();
    }

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

    /// <summary>
    /// An admin's choice of the format the sensor reports in and the networks its syslog messages come from; absent
    /// (null) parts stay as they are. Each network is a CIDR range or a single address (then /32 or /128).
    /// </summary>
    public void ChangeIngest(EventFormat? format, IReadOnlyCollection<string>? syslogNetworks)
    {
        if (format is { } f)
        {
            if (!Enum.IsDefined(f))
            {
                throw new ArgumentOutOfRangeException(nameof(format), f, "Not an event format.");
            }

            Format = f;
        }

        if (syslogNetworks is null)
        {
            return;
        }

        var networks = new List<string>(syslogNetworks.Count);
        foreach (var text in syslogNetworks)
        {
            if (!TryNormalizeNetwork(text, out var network))
            {
                throw new ArgumentException($"'{text}' is not a CIDR range.", nameof(syslogNetworks));
            }

            if (!networks.Contains(network, StringComparer.Ordinal))
            {
                networks.Add(network);
            }
        }

        if (networks.Count > MaxSyslogNetworks)
        {
            throw new ArgumentException($"A sensor has at most {MaxSyslogNetworks} syslog networks.", nameof(syslogNetworks));
        }

        SyslogNetworks = networks;
    }

    /// <summary>
    /// A CIDR range in canonical form (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>); a single address is its own /32 or /128.
    /// A range with host bits set (<c>10.1.2.3/8</c>) is refused rather than silently widened or narrowed.
    /// </summary>
    public static bool TryNormalizeNetwork(string? text, out string network)
    {
        network = string.Empty;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        if (!trimmed.Contains('/', StringComparison.Ordinal))
        {
            if (!System.Net.IPAddress.TryParse(trimmed, out var address)
                || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && trimmed.Count(c => c == '.') != 3))
            {
                return false;
            }

            trimmed = $"{address}/{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}";
        }

        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (!System.Net.IPAddress.TryParse(trimmed.AsSpan(0, slash), out var given)
            || !System.Net.IPNetwork.TryParse(trimmed, out var parsed)
            || !parsed.BaseAddress.Equals(given)
            || (given.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && trimmed[..slash].Count(c => c == '.') != 3))
        {
            return false;
        }

        network = parsed.ToString();
        return true;
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
