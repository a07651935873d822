using System.Text.Json.Nodes;

namespace ThreatPlatform.Domain.SecurityEvents;

/// <summary>JSON compared by meaning: PostgreSQL's jsonb reorders keys and drops white space, so text equality would lie.</summary>
internal static class JsonEquality
{
    public static bool SameJson(string? a, string? b) =>
        a is null || b is null ? a == b : a == b || JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
}
