using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Rules;

/// <summary>Detection rules through HTTP, and Sigma documents the tests write (each keyed to its own marker so tests sharing a database stay apart).</summary>
internal static class RulesApi
{
    public static readonly Uri Rules = new("/api/rules/", UriKind.Relative);
    public static readonly Uri Test = new("/api/rules/test/", UriKind.Relative);

    public static Uri Rule(long id) => new($"/api/rules/{id}/", UriKind.Relative);

    public static string Marker() => $"m{Guid.NewGuid():N}"[..13];

    /// <summary>A rule matching events whose source is <paramref name="source"/> and whose command line contains <paramref name="needle"/>.</summary>
    public static string CommandLineRule(string source, string needle = "mimikatz", string level = "high", string title = "Credential dumping tool") => $"""
        title: {title}
        id: {Guid.NewGuid()}
        status: test
        level: {level}
        tags:
            - attack.credential_access
            - attack.t1003.001
        detection:
            selection:
                source: '{source}'
                process.command_line|contains: '{needle}'
            condition: selection
        """;

    /// <summary>At least <paramref name="n"/> failed logins from one source address within <paramref name="timespan"/>.</summary>
    public static string BruteForceRule(string source, int n, string timespan = "60s") => $"""
        title: Brute force from one address
        level: critical
        tags: [attack.t1110]
        correlation:
            type: event_count
            rules: [failed_login]
            group-by: [source_ip]
            timespan: {timespan}
            condition:
                gte: {n}
        ---
        name: failed_login
        title: Failed login
        detection:
            selection:
                source: '{source}'
                event_type: auth_failure
            condition: selection
        """;

    public static Dictionary<string, object?> ProcessEvent(string source, string commandLine, string severity = "LOW", string? externalId = null) => new()
    {
        ["source"] = source,
        ["event_type"] = "process_start",
        ["severity"] = severity,
        ["description"] = $"process started: {commandLine}",
        ["source_ip"] = "10.1.2.3",
        ["metadata"] = new Dictionary<string, object> { ["process"] = new Dictionary<string, object> { ["command_line"] = commandLine } },
        ["external_id"] = externalId,
    };

    public static Dictionary<string, object?> FailedLogin(string source, DateTimeOffset at, string ip = "198.51.100.7", string? externalId = null) => new()
    {
        ["source"] = source,
        ["event_type"] = "auth_failure",
        ["severity"] = "LOW",
        ["description"] = "Failed password for root",
        ["source_ip"] = ip,
        ["occurred_at"] = at,
        ["external_id"] = externalId ?? Guid.NewGuid().ToString("N"),
    };

    public static async Task<JsonElement> CreateRuleOkAsync(this HttpClient admin, string sigma, bool? isActive = null)
    {
        var response = await admin.PostJsonAsync(Rules, isActive is null ? new { sigma } : new { sigma, is_active = isActive });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return await EventsApi.JsonAsync(response);
    }

    public static async Task<long> CreateRuleIdAsync(this HttpClient admin, string sigma) =>
        (await admin.CreateRuleOkAsync(sigma)).GetProperty("id").GetInt64();

    /// <summary>The alerts a rule raised (alert list filtered by rule), oldest first.</summary>
    public static async Task<List<JsonElement>> AlertsOfRuleAsync(this HttpClient client, long ruleId)
    {
        var page = await client.GetJsonAsync($"/api/alerts/?rule={ruleId}&ordering=created_at&page_size=100");
        return [.. page.GetProperty("results").EnumerateArray()];
    }

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, Uri uri, object body) =>
        client.PutAsync(uri, JsonContent.Create(body));
}
