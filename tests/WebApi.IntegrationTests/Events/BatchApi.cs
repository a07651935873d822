using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>Builds batch bodies and reads batch answers, for the batch ingest tests.</summary>
internal static class BatchApi
{
    public static readonly Uri Batch = new("/api/events/batch/", UriKind.Relative);

    private static readonly JsonSerializerOptions Json = new();

    /// <summary>A valid event as a sensor sends it; a source of its own keeps tests in one database apart.</summary>
    public static Dictionary<string, object?> Event(string source, string severity = "LOW", string? externalId = null, string eventType = "port_scan") =>
        new()
        {
            ["source"] = source,
            ["event_type"] = eventType,
            ["severity"] = severity,
            ["description"] = $"{eventType} seen by {source}",
            ["source_ip"] = "10.0.0.1",
            ["destination_ip"] = "2001:db8::1",
            ["metadata"] = new Dictionary<string, object> { ["rule"] = 42 },
            ["external_id"] = externalId,
        };

    public static string NewSource() => $"sensor-{Guid.NewGuid():N}"[..20];

    public static Task<HttpResponseMessage> PostArrayAsync(this HttpClient client, IEnumerable<object> items) =>
        client.PostRawAsync(JsonSerializer.Serialize(items, Json), "application/json");

    public static Task<HttpResponseMessage> PostNdjsonAsync(this HttpClient client, IEnumerable<string> lines) =>
        client.PostRawAsync(string.Join('\n', lines) + "\n", "application/x-ndjson");

    public static string Line(object item) => JsonSerializer.Serialize(item, Json);

    public static async Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string body, string contentType)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await client.PostAsync(Batch, content);
    }

    public static async Task<BatchAnswer> ShouldBeBatchAnswerAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, text);
        using var body = JsonDocument.Parse(text);
        var root = body.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("accepted", "duplicates", "rejected", "alerts_created");
        return new BatchAnswer(
            root.GetProperty("accepted").GetInt32(),
            root.GetProperty("duplicates").GetInt32(),
            root.GetProperty("rejected").EnumerateArray()
                .Select(r => new RejectedAnswer(
                    r.GetProperty("index").GetInt32(),
                    r.GetProperty("errors").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(m => m.GetString()!).ToArray())))
                .ToList(),
            root.GetProperty("alerts_created").GetInt32());
    }
}

internal sealed record BatchAnswer(int Accepted, int Duplicates, IReadOnlyList<RejectedAnswer> Rejected, int AlertsCreated);

internal sealed record RejectedAnswer(int Index, IReadOnlyDictionary<string, string[]> Errors);
