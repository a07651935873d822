using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Common.Querying;

/// <summary>The detection filters events and alerts share: a technique matches itself and its sub-techniques.</summary>
public static partial class DetectionFilters
{
    public static readonly ListParameter Technique = new(
        "detection__technique", typeof(string), MaxLength: Detection.TechniqueMaxLength,
        Description: "A MITRE ATT&CK technique id (T1059 also matches its sub-techniques T1059.001 …).");

    public static readonly ListParameter MinConfidence = new(
        "detection__confidence__gte", typeof(double), Minimum: 0, Maximum: 1,
        Description: "Detections at least this confident (0..1).");

    /// <summary><c>detection__technique</c> and <c>detection__confidence__gte</c> on a list whose rows carry a detection.</summary>
    public static ListSpec<T> FilterByDetection<T>(
        this ListSpec<T> spec,
        Expression<Func<T, string?>> technique,
        Expression<Func<T, double?>> confidence) => spec
        .Where<string>(Technique, t => OfTechnique(t, technique))
        .Where<double>(MinConfidence, c => ListSpec<T>.Predicate(confidence, x => x >= c));

    /// <summary>The technique (any case) or one of its sub-techniques: <c>T1059</c> matches <c>T1059.001</c>.</summary>
    private static Expression<Func<T, bool>> OfTechnique<T>(string technique, Expression<Func<T, string?>> column)
    {
        var id = technique.ToUpperInvariant();
        if (!ParentTechnique().IsMatch(id))
        {
            return ListSpec<T>.Predicate(column, t => t == id);
        }

        var subTechniques = id + ".%";
        return ListSpec<T>.Predicate(column, t => t == id || EF.Functions.Like(t, subTechniques));
    }

    [GeneratedRegex(@"^T\d{4}$")]
    private static partial Regex ParentTechnique();
}
