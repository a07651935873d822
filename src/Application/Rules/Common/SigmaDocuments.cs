using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Rules.Sigma;
using ThreatPlatform.Domain.Rules;

namespace ThreatPlatform.Application.Rules.Common;

/// <summary>A Sigma document compiled on save: the compiled rule and what the stored rule keeps of it, or a 400 naming <c>sigma</c>.</summary>
public static class SigmaDocuments
{
    public const string Field = "sigma";

    public static (SigmaRule Compiled, RuleDefinition Definition) Compile(string? sigma)
    {
        if (string.IsNullOrWhiteSpace(sigma))
        {
            throw new RequestValidationException(Field, "sigma is required: the rule as Sigma YAML.");
        }

        if (sigma.Length > DetectionRule.SigmaMaxLength)
        {
            throw new RequestValidationException(Field, $"sigma is at most {DetectionRule.SigmaMaxLength} characters.");
        }

        try
        {
            var rule = SigmaCompiler.Compile(sigma);
            return (rule, DefinitionOf(rule));
        }
        catch (SigmaException e)
        {
            throw new RequestValidationException(
                new Dictionary<string, string[]>(StringComparer.Ordinal) { [Field] = [.. e.Errors.Select(x => x.ToString())] });
        }
    }

    public static RuleDefinition DefinitionOf(SigmaRule rule) => new(
        rule.Title,
        rule.SigmaId,
        (RuleLevel)(short)rule.Level,
        rule.Status is { Length: > DetectionRule.StatusMaxLength } status ? status[..DetectionRule.StatusMaxLength] : rule.Status,
        rule.Tags,
        rule.Logsource.Product,
        rule.Logsource.Category,
        rule.Logsource.Service,
        rule.Technique);
}
