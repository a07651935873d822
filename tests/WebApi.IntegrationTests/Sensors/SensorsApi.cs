using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Sensors;

/// <summary>Sensors and their API keys through HTTP, as an admin and as a sensor call them.</summary>
internal static class SensorsApi
{
    public static readonly Uri Sensors = new("/api/sensors/", UriKind.Relative);

    public static Uri Sensor(long id) => new($"/api/sensors/{id}/", UriKind.Relative);

    public static Uri Keys(long sensorId) => new($"/api/sensors/{sensorId}/keys/", UriKind.Relative);

    public static Uri Key(long sensorId, long keyId) => new($"/api/sensors/{sensorId}/keys/{keyId}/", UriKind.Relative);

    /// <summary>A sensor name (and so a default source) no other test uses.</summary>
    public static string NewName(string prefix = "sensor") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static Task<HttpResponseMessage> CreateSensorAsync(this HttpClient admin, object body) => admin.PostJsonAsync(Sensors, body);

    /// <summary>Creates a sensor; fails the test on anything but 201.</summary>
    /// <param name="claimExisting">Claims sources others have already written to (else such a claim is a 409).</param>
    public static async Task<JsonElement> CreateSensorOkAsync(
        this HttpClient admin, string? name = null, string kind = "FIREWALL", string[]? sources = null, bool claimExisting = false)
    {
        var response = await admin.CreateSensorAsync(claimExisting
            ? new { name = name ?? NewName(), kind, sources, claim_existing = true }
            : new { name = name ?? NewName(), kind, sources });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return await EventsApi.JsonAsync(response);
    }

    /// <summary>Issues a key to the sensor: the whole answer (with the key).</summary>
    public static async Task<JsonElement> CreateKeyOkAsync(this HttpClient admin, long sensorId, object? body = null)
    {
        var response = await admin.PostJsonAsync(Keys(sensorId), body ?? new { name = "primary" });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return await EventsApi.JsonAsync(response);
    }

    /// <summary>A sensor (owning its name as source), a key for it, and a client that sends the key.</summary>
    public static async Task<SensorWithKey> SensorWithKeyAsync(this ApiFactory factory, HttpClient admin, string[]? sources = null)
    {
        var sensor = await admin.CreateSensorOkAsync(sources: sources);
        var key = await admin.CreateKeyOkAsync(sensor.GetProperty("id").GetInt64());
        return new SensorWithKey(
            sensor.GetProperty("id").GetInt64(),
            sensor.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToArray(),
            key.GetProperty("id").GetInt64(),
            key.GetProperty("key").GetString()!,
            factory.ClientWithKey(key.GetProperty("key").GetString()!));
    }

    /// <summary>A client that sends <paramref name="key"/> as <c>Authorization: ApiKey …</c> (or as X-Api-Key).</summary>
    public static HttpClient ClientWithKey(this ApiFactory factory, string key, bool asXApiKey = false)
    {
        var client = factory.CreateClient();
        if (asXApiKey)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
        else
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        }

        return client;
    }

    /// <summary>Polls until the request answers 401, failing if that takes longer than <paramref name="within"/>.</summary>
    public static async Task<TimeSpan> ShouldBecomeUnauthorizedAsync(Func<Task<HttpResponseMessage>> request, TimeSpan within)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await request();
            if ((int)response.StatusCode == 401)
            {
                return started.Elapsed;
            }

            started.Elapsed.Should().BeLessThan(within, "the key should have stopped working by now");
            await Task.Delay(50);
        }
    }

    public static Task<HttpResponseMessage> PostBatchAsync(this HttpClient client, params object[] items) =>
        client.PostAsync(BatchApi.Batch, JsonContent.Create(items));
}

internal sealed record SensorWithKey(long SensorId, string[] Sources, long KeyId, string Key, HttpClient Client)
{
    public string Source => Sources[0];
}
