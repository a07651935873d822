using FluentValidation;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>The rules a sensor's fields share between creation and change.</summary>
public static class SensorRules
{
    public static IRuleBuilderOptions<T, string?> ValidDescription<T>(this IRuleBuilder<T, string?> rule) => rule
        .MaximumLength(Sensor.DescriptionMaxLength).WithMessage($"description must be at most {Sensor.DescriptionMaxLength} characters.");

    /// <summary>At most 100 sources, each 1–255 characters (as an event's source).</summary>
    public static IRuleBuilderOptions<T, IReadOnlyList<string>?> ValidSources<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) => rule
        .Must(s => s is null || s.Count <= Sensor.MaxSources).WithMessage($"sources holds at most {Sensor.MaxSources} sources.")
        .Must(s => s is null || s.All(x => !string.IsNullOrWhiteSpace(x) && x.Trim().Length <= Sensor.SourceMaxLength))
        .WithMessage($"Each source must be 1 to {Sensor.SourceMaxLength} characters.");

    /// <summary>At most 100 networks, each a CIDR range or a single address (a range with host bits set is refused).</summary>
    public static IRuleBuilderOptions<T, IReadOnlyList<string>?> ValidSyslogNetworks<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) => rule
        .Must(n => n is null || n.Count <= Sensor.MaxSyslogNetworks).WithMessage($"syslog_networks holds at most {Sensor.MaxSyslogNetworks} networks.")
        .Must(n => n is null || n.All(x => Sensor.TryNormalizeNetwork(x, out _)))
        .WithMessage("Each of syslog_networks must be a CIDR range such as 10.0.0.0/8 or 2001:db8::/32, or a single address.");

    public static IRuleBuilderOptions<T, EventFormat?> ValidFormat<T>(this IRuleBuilder<T, EventFormat?> rule) => rule
        .Must(f => f is null || Enum.IsDefined(f.Value)).WithMessage("format is not an event format.");
}
