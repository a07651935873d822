using System.Text.Json;
using ThreatPlatform.Application.Rules.Sigma;

namespace ThreatPlatform.Application.UnitTests.Rules;

internal static class SigmaTestEvents
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>An event with metadata given as a JSON object text (or an anonymous object).</summary>
    public static SigmaEvent Event(
        object? metadata = null,
        string description = "",
        string source = "host-1",
        string eventType = "process",
        string severity = "LOW",
        string? sourceIp = null,
        DateTimeOffset? at = null,
        SigmaLogsource? logsource = null)
    {
        JsonElement? json = metadata switch
        {
            null => null,
            string text => JsonDocument.Parse(text).RootElement.Clone(),
            _ => JsonSerializer.SerializeToElement(metadata),
        };
        return new SigmaEvent(source, eventType, severity, description, sourceIp, null, null, json, at ?? T0, logsource);
    }

    /// <summary>A one-selection rule: <c>detection: {selection: …, condition: selection}</c> with the selection's YAML lines.</summary>
    public static SigmaRule Rule(string selection, string condition = "selection") => SigmaCompiler.Compile($"""
        title: Test rule
        level: high
        detection:
            selection:
        {Indent(selection, 8)}
            condition: {condition}
        """);

    public static bool Hits(this SigmaRule rule, SigmaEvent e) => rule.Matches!(e);

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => new string(' ', spaces) + line));
}
