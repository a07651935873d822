using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>The triage endpoints of an alert (assign, comments, tags, bulk) through HTTP.</summary>
internal static class TriageApi
{
    public static readonly Uri Bulk = new("/api/alerts/bulk/", UriKind.Relative);

    public static Uri Assign(long alertId) => new($"/api/alerts/{alertId}/assign/", UriKind.Relative);

    public static Uri Tags(long alertId) => new($"/api/alerts/{alertId}/tags/", UriKind.Relative);

    public static Uri Comments(long alertId) => new($"/api/alerts/{alertId}/comments/", UriKind.Relative);

    public static Uri Comment(long alertId, long commentId) => new($"/api/alerts/{alertId}/comments/{commentId}/", UriKind.Relative);

    public static Task<HttpResponseMessage> AssignAsync(this HttpClient client, long alertId, long? assignee) =>
        client.PostAsync(Assign(alertId), JsonContent.Create(new { assignee }));

    public static Task<HttpResponseMessage> PutTagsAsync(this HttpClient client, long alertId, params string[] tags) =>
        client.PutAsync(Tags(alertId), JsonContent.Create(new { tags }));

    public static Task<HttpResponseMessage> CommentAsync(this HttpClient client, long alertId, string body) =>
        client.PostAsync(Comments(alertId), JsonContent.Create(new { body }));

    /// <summary>Comments and returns the comment's id; fails the test on anything but 201.</summary>
    public static async Task<long> CommentOkAsync(this HttpClient client, long alertId, string body)
    {
        var response = await client.CommentAsync(alertId, body);
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return (await EventsApi.JsonAsync(response)).GetProperty("id").GetInt64();
    }

    public static Task<HttpResponseMessage> BulkAsync(this HttpClient client, object body) =>
        client.PostAsync(Bulk, JsonContent.Create(body));

    /// <summary>The bulk answer's results by id: (ok, status_code).</summary>
    public static async Task<Dictionary<long, (bool Ok, int Status)>> BulkOkAsync(this HttpClient client, object body)
    {
        var response = await client.BulkAsync(body);
        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
        var json = await EventsApi.JsonAsync(response);
        return json.GetProperty("results").EnumerateArray().ToDictionary(
            r => r.GetProperty("id").GetInt64(),
            r => (r.GetProperty("ok").GetBoolean(), r.GetProperty("status_code").GetInt32()));
    }

    public static async Task<JsonElement> AlertAsync(this HttpClient client, long alertId) => await client.GetJsonAsync(EventsApi.Alert(alertId));

    public static long? AssigneeId(this JsonElement alert) =>
        alert.GetProperty("assignee").ValueKind == JsonValueKind.Null ? null : alert.GetProperty("assignee").GetProperty("id").GetInt64();

    public static IReadOnlyList<string> TagList(this JsonElement alert) =>
        [.. alert.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)];

    public static IReadOnlyList<JsonElement> HistoryOf(this JsonElement alert) => [.. alert.GetProperty("history").EnumerateArray()];
}
