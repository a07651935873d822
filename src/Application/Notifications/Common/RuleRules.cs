using System.Text.RegularExpressions;
using FluentValidation;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Notifications.Common;

/// <summary>The checks a rule's fields pass, shared by create and PATCH (which leaves null fields alone).</summary>
public static partial class RuleRules
{
    public static void ValidRule<T>(this AbstractValidator<T> validator, Func<T, NotificationRuleSpec> spec, bool creating)
    {
        validator.RuleFor(c => spec(c).Name)
            .Must(n => creating ? !string.IsNullOrWhiteSpace(n) : n is null || !string.IsNullOrWhiteSpace(n)).WithMessage("name is required.")
            .Must(n => n is null || n.Trim().Length <= NotificationRule.NameMaxLength)
            .WithMessage($"name must be at most {NotificationRule.NameMaxLength} characters.")
            .OverridePropertyName("Name");
        validator.RuleFor(c => spec(c).Events)
            .Must(e => creating ? e is { Count: > 0 } : e is null || e.Count > 0).WithMessage("events must name at least one alert event.")
            .Must(e => e is null || e.All(NotificationEvents.Selectable.Contains))
            .WithMessage($"Each event must be one of {string.Join(", ", NotificationEvents.Selectable)}.")
            .OverridePropertyName("Events");
        validator.RuleFor(c => spec(c).MinSeverity)
            .Must(s => s is null || Enum.IsDefined(s.Value)).WithMessage("min_severity is not a severity.")
            .OverridePropertyName("MinSeverity");
        validator.RuleFor(c => spec(c).Sources)
            .Must(s => s is null || (s.Count <= NotificationRule.MaxFilterValues && s.All(x => x.Length is > 0 and <= SecurityEvent.SourceMaxLength)))
            .WithMessage($"sources holds at most {NotificationRule.MaxFilterValues} sources of 1 to {SecurityEvent.SourceMaxLength} characters.")
            .OverridePropertyName("Sources");
        validator.RuleFor(c => spec(c).Tags)
            .Must(t => t is null || (t.Count <= Alert.MaxTags && t.All(Alert.IsTag)))
            .WithMessage($"tags holds at most {Alert.MaxTags} tags, each 1 to {Alert.TagMaxLength} characters of [a-z0-9:_.-].")
            .OverridePropertyName("Tags");
        validator.RuleFor(c => spec(c).Techniques)
            .Must(t => t is null || (t.Count <= NotificationRule.MaxFilterValues && t.All(x => TechniquePattern().IsMatch(x))))
            .WithMessage("Each technique must be a MITRE ATT&CK id such as T1059 or T1059.001.")
            .OverridePropertyName("Techniques");
        validator.RuleFor(c => spec(c).Channels)
            .Must(ch => creating ? ch is { Count: > 0 } : ch is null || ch.Count > 0).WithMessage("channels must name at least one channel.")
            .Must(ch => ch is null || ch.Count <= NotificationRule.MaxChannels)
            .WithMessage($"channels names at most {NotificationRule.MaxChannels} channels.")
            .OverridePropertyName("Channels");
        validator.RuleFor(c => spec(c).Throttle)
            .Must(t => t is null || t.Off || (t.Max >= 1 && t.PerSeconds is >= 1 and <= NotificationRule.MaxThrottleSeconds))
            .WithMessage($"throttle needs max ≥ 1 and per_seconds from 1 to {NotificationRule.MaxThrottleSeconds}.")
            .OverridePropertyName("Throttle");
    }

    [GeneratedRegex("^[Tt][0-9]{4}(\\.[0-9]{3})?$")]
    private static partial Regex TechniquePattern();
}
