using FluentValidation;
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
}
