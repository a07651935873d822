using System.Text.Json;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Audit;

internal static class AuditApi
{
    public static Uri List(string query = "") => new($"/api/audit/{query}", UriKind.Relative);

    public static readonly Uri Verify = new("/api/audit/verify/", UriKind.Relative);

    /// <summary>Every entry matching <paramref name="query"/> (newest first), up to 100.</summary>
    public static async Task<IReadOnlyList<JsonElement>> EntriesAsync(this HttpClient admin, string query)
    {
        var separator = query.Length == 0 ? "?" : "&";
        var page = await admin.GetJsonAsync(List($"?{query}{separator}page_size=100"));
        return [.. page.GetProperty("results").EnumerateArray()];
    }

    public static async Task<(bool Ok, long Checked, long? FirstBadId)> VerifyAsync(this HttpClient admin)
    {
        var body = await admin.GetJsonAsync(Verify);
        var firstBad = body.GetProperty("first_bad_id");
        return (body.GetProperty("ok").GetBoolean(), body.GetProperty("checked").GetInt64(),
            firstBad.ValueKind == JsonValueKind.Null ? null : firstBad.GetInt64());
    }

    /// <summary>The whole verify answer: ok, checked, first_bad_id, and what is wrong (problem) against which checkpoint.</summary>
    public static async Task<(bool Ok, long Checked, long? FirstBadId, string? Problem, long? CheckpointId)> VerifyInFullAsync(this HttpClient admin)
    {
        var body = await admin.GetJsonAsync(Verify);
        var (ok, @checked, firstBad) = (body.GetProperty("ok").GetBoolean(), body.GetProperty("checked").GetInt64(), body.GetProperty("first_bad_id"));
        var checkpoint = body.GetProperty("checkpoint_id");
        return (ok, @checked, firstBad.ValueKind == JsonValueKind.Null ? null : firstBad.GetInt64(), body.Text("problem"),
            checkpoint.ValueKind == JsonValueKind.Null ? null : checkpoint.GetInt64());
    }

    public static string Action(this JsonElement entry) => entry.GetProperty("action").GetString()!;

    public static string? Text(this JsonElement entry, string name) =>
        entry.GetProperty(name).ValueKind == JsonValueKind.Null ? null : entry.GetProperty(name).GetString();
}
