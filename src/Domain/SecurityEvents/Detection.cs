namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>
/// What a detection model said about an event: which model (and version) fired, how confident it was (0..1), and the
/// MITRE ATT&amp;CK technique it maps to (<c>T1059</c> or the sub-technique <c>T1059.001</c>).
/// </summary>
public sealed record Detection(string Model, string? ModelVersion, double Confidence, string? Technique)
{
    public const int ModelMaxLength = 100;
    public const int ModelVersionMaxLength = 50;

    /// <summary>A technique id: T and four digits, optionally a dot and three digits.</summary>
    public const string TechniquePattern = @"^T\d{4}(\.\d{3})?$";

    public const int TechniqueMaxLength = 9;

    /// <summary>The detection stored in flat columns; null when no model made the event.</summary>
    public static Detection? Of(string? model, string? modelVersion, double? confidence, string? technique) =>
        model is null ? null : new Detection(model, modelVersion, confidence ?? 0, technique);
}
