using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Rules;

namespace ThreatPlatform.Application.Rules.Common;

/// <summary>A rule's Sigma logsource (each field null when the rule does not name it).</summary>
public sealed record LogsourceDto(string? Product, string? Category, string? Service);

/// <summary>A detection rule as the API shows it; <see cref="Hits"/> counts the alerts it raised.</summary>
public sealed record DetectionRuleDto(
    long Id,
    string Title,
    string? SigmaId,
    RuleLevel Level,
    string? Status,
    IReadOnlyList<string> Tags,
    LogsourceDto Logsource,
    string? Technique,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Hits,
    string Sigma);

public static class DetectionRuleMapping
{
    /// <summary>Rules to DTOs; hits are counted per rule through the alerts' rule index.</summary>
    public static IQueryable<DetectionRuleDto> ProjectToDto(this IQueryable<DetectionRule> rules, IQueryable<Alert> alerts) =>
        rules.Select(r => new DetectionRuleDto(
            r.Id,
            r.Title,
            r.SigmaId,
            r.Level,
            r.Status,
            r.Tags,
            new LogsourceDto(r.LogsourceProduct, r.LogsourceCategory, r.LogsourceService),
            r.Technique,
            r.IsActive,
            r.CreatedAt,
            r.UpdatedAt,
            alerts.LongCount(a => a.RuleId == r.Id),
            r.Sigma));
}

/// <summary>The rule an alert was raised by, as the alert shows it (<c>id</c> null in a dry run).</summary>
public sealed record AlertRuleDto(long? Id, string Title, RuleLevel Level, string? Technique);
