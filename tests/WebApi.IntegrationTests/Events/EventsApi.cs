using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.WebApi.IntegrationTests.Auth;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>Events and alerts through HTTP, as sensors and dashboards call them.</summary>
internal static class EventsApi
{
    public static readonly Uri Events = new("/api/events/", UriKind.Relative);
    public static readonly Uri Alerts = new("/api/alerts/", UriKind.Relative);

    public static Uri Event(long id) => new($"/api/events/{id}/", UriKind.Relative);

    public static Uri Alert(long id) => new($"/api/alerts/{id}/", UriKind.Relative);

    public static Uri AlertStatus(long id) => new($"/api/alerts/{id}/status/", UriKind.Relative);

    /// <summary>A valid event body; callers override what their test is about.</summary>
    public static Dictionary<string, object?> NewEvent(string severity = "HIGH", string? source = null, string? eventType = null, string? description = null) => new()
    {
        ["source"] = source ?? $"fw-{Guid.NewGuid():N}"[..11],
        ["event_type"] = eventType ?? "port_scan",
        ["severity"] = severity,
        ["description"] = description ?? "Repeated SYN probes from one host",
        ["source_ip"] = "203.0.113.7",
        ["destination_ip"] = "10.0.0.5",
        ["metadata"] = new Dictionary<string, object> { ["ports"] = new[] { 22, 80, 443 } },
    };

    public static Task<HttpResponseMessage> IngestAsync(this HttpClient client, object body) =>
        client.PostAsync(Events, JsonContent.Create(body));

    /// <summary>Ingests and returns the stored event; fails the test on anything but 201.</summary>
    public static async Task<JsonElement> IngestOkAsync(this HttpClient client, object body)
    {
        var response = await client.IngestAsync(body);
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    /// <summary>Ingests a HIGH event and returns the id of the alert it raised.</summary>
    public static async Task<long> RaiseAlertAsync(this HttpClient client, string severity = "HIGH", string? source = null, string? eventType = null, string? description = null)
    {
        var stored = await client.IngestOkAsync(NewEvent(severity, source, eventType, description));
        return stored.GetProperty("alert_id").GetInt64();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, Uri uri)
    {
        var response = await client.GetAsync(uri);
        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
        return await JsonAsync(response);
    }

    public static Task<JsonElement> GetJsonAsync(this HttpClient client, string relative) =>
        client.GetJsonAsync(new Uri(relative, UriKind.Relative));

    public static Task<HttpResponseMessage> ChangeStatusAsync(this HttpClient client, long alertId, string status, string? note = null) =>
        client.PatchAsync(AlertStatus(alertId), JsonContent.Create(new { status, note }));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = await AuthApi.ReadJsonAsync(response);
        return document.RootElement.Clone();
    }

    public static IReadOnlyList<long> Ids(this JsonElement page) =>
        page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToList();
}
