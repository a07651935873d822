using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.Rules;

/// <summary>Sigma's rule levels, lowest first. The numbers are stored: never renumber one.</summary>
public enum RuleLevel : short
{
    Informational = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

public static class RuleLevels
{
    /// <summary>The severity of the alerts a rule of this level raises; an informational rule raises none.</summary>
    public static Severity? AlertSeverity(this RuleLevel level) => level switch
    {
        RuleLevel.Low => Severity.Low,
        RuleLevel.Medium => Severity.Medium,
        RuleLevel.High => Severity.High,
        RuleLevel.Critical => Severity.Critical,
        _ => null,
    };
}

/// <summary>What a rule's Sigma document says about it, read when the document compiled (the compiler lives in Application).</summary>
public sealed record RuleDefinition(
    string Title,
    string? SigmaId,
    RuleLevel Level,
    string? Status,
    IReadOnlyList<string> Tags,
    string? LogsourceProduct,
    string? LogsourceCategory,
    string? LogsourceService,
    string? Technique);

/// <summary>
/// A detection rule: a Sigma document that compiled, and whether it runs on ingest. The document is stored as sent; the
/// fields read from it are kept beside it so lists filter and search without compiling.
/// </summary>
public sealed class DetectionRule : Entity
{
    public const int SigmaMaxLength = 128 * 1024;
    public const int TitleMaxLength = 256;
    public const int SigmaIdMaxLength = 100;
    public const int StatusMaxLength = 50;
    public const int LogsourceMaxLength = 100;
    public const int TechniqueMaxLength = 20;

    private DetectionRule()
    {
        Title = null!;
        Sigma = null!;
    }

    public long Id { get; private set; }
    public string Title { get; private set; }
    public string? SigmaId { get; private set; }
    public RuleLevel Level { get; private set; }
    public string? Status { get; private set; }
    public string[] Tags { get; private set; } = [];
    public string? LogsourceProduct { get; private set; }
    public string? LogsourceCategory { get; private set; }
    public string? LogsourceService { get; private set; }

    /// <summary>The ATT&amp;CK technique from the rule's first <c>attack.tNNNN</c> tag (as <c>T1059.001</c>), or null.</summary>
    public string? Technique { get; private set; }

    /// <summary>The Sigma document as the admin saved it.</summary>
    public string Sigma { get; private set; }
    public bool IsActive { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public static DetectionRule Create(RuleDefinition definition, string sigma, bool isActive, DateTimeOffset at)
    {
        var rule = new DetectionRule { IsActive = isActive, CreatedAt = at };
        rule.Apply(definition, sigma, at);
        return rule;
    }

    /// <summary>Replaces the document (PUT): everything read from it changes with it.</summary>
    public void Replace(RuleDefinition definition, string sigma, DateTimeOffset at) => Apply(definition, sigma, at);

    /// <summary>Switches the rule on or off. Same state: no change.</summary>
    public void SetActive(bool isActive, DateTimeOffset at)
    {
        if (isActive == IsActive)
        {
            return;
        }

        IsActive = isActive;
        UpdatedAt = at;
    }

    private void Apply(RuleDefinition definition, string sigma, DateTimeOffset at)
    {
        Title = definition.Title;
        SigmaId = definition.SigmaId;
        Level = definition.Level;
        Status = definition.Status;
        Tags = [.. definition.Tags];
        LogsourceProduct = definition.LogsourceProduct;
        LogsourceCategory = definition.LogsourceCategory;
        LogsourceService = definition.LogsourceService;
        Technique = definition.Technique;
        Sigma = sigma;
        UpdatedAt = at;
    }
}

/// <summary>A rule that matched an event: what the alert it raises carries (the rule as it was when it matched).</summary>
public sealed record RuleMatch(long RuleId, string Title, RuleLevel Level, string? Technique)
{
    public Severity Severity => Level.AlertSeverity() ?? Severity.Low;
}
