using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

public static class NotificationsApi
{
    public static readonly Uri Channels = new("/api/notifications/channels/", UriKind.Relative);
    public static readonly Uri Rules = new("/api/notifications/rules/", UriKind.Relative);
    public static readonly Uri Deliveries = new("/api/notifications/deliveries/", UriKind.Relative);

    public static Uri Channel(long id) => new($"/api/notifications/channels/{id}/", UriKind.Relative);

    public static Uri TestChannel(long id) => new($"/api/notifications/channels/{id}/test/", UriKind.Relative);

    public static Uri Rule(long id) => new($"/api/notifications/rules/{id}/", UriKind.Relative);

    public static Uri Retry(long deliveryId) => new($"/api/notifications/deliveries/{deliveryId}/retry/", UriKind.Relative);

    /// <summary>A list for a request body (a params array, so the analyzers see no constant array per call).</summary>
    public static string[] Of(params string[] items) => items;

    public static long[] Of(params long[] items) => items;

    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static async Task<JsonElement> CreateChannelOkAsync(this HttpClient admin, string kind, object config, string? name = null)
    {
        var response = await admin.PostJsonAsync(Channels, new { name = name ?? NewName(kind.ToLowerInvariant()), kind, config });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A rule on <paramref name="events"/> (default alert.created) for the alerts of one source, through the given channels.</summary>
    public static async Task<JsonElement> CreateRuleOkAsync(
        this HttpClient admin, long[] channels, string source, string[]? events = null, string minSeverity = "HIGH", object? throttle = null)
    {
        var response = await admin.PostJsonAsync(Rules, new
        {
            name = NewName("rule"),
            events = events ?? ["alert.created"],
            min_severity = minSeverity,
            sources = NotificationsApi.Of(source),
            channels,
            throttle,
        });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The deliveries the filter selects (newest first), as the API lists them.</summary>
    public static async Task<List<JsonElement>> DeliveriesAsync(this HttpClient admin, string query)
    {
        var page = await admin.GetJsonAsync($"/api/notifications/deliveries/?page_size=100&{query}");
        return [.. page.GetProperty("results").EnumerateArray()];
    }

    /// <summary>
    /// Waits (polling, up to <paramref name="within"/>; default 60 s, for a loaded machine) until <paramref name="condition"/>
    /// holds; fails the test with <paramref name="what"/> if it never does. Not a timing assertion: only the outcome counts.
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Still not true after waiting: {what}. Last seen: {value}");
            }

            await Task.Delay(100);
        }
    }
}
