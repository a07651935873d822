using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>
/// An event read from a standard format shows its format and the record as received on single-event answers (the event
/// and the alert's detail); lists show the format only.
/// </summary>
public sealed class EventFormatAndRawTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_cef_event_answers_its_format_and_raw_record()
    {
        var (admin, source, line) = await IngestCriticalCefAsync();

        var stored = await StoredEventAsync(admin, source);
        var one = await admin.GetJsonAsync(EventsApi.Event(stored.GetProperty("id").GetInt64()));

        one.GetProperty("format").GetString().Should().Be("CEF");
        one.GetProperty("raw").GetString().Should().Be(line);
    }

    [Fact]
    public async Task The_alert_detail_shows_the_raising_events_format_and_raw_record()
    {
        var (admin, source, line) = await IngestCriticalCefAsync();
        var alertId = (await StoredEventAsync(admin, source)).GetProperty("alert_id").GetInt64();

        var detail = await admin.GetJsonAsync(EventsApi.Alert(alertId));

        var e = detail.GetProperty("event");
        e.GetProperty("format").GetString().Should().Be("CEF");
        e.GetProperty("raw").GetString().Should().Be(line);
    }

    [Fact]
    public async Task Event_and_alert_lists_show_the_format_without_the_raw_record()
    {
        var (admin, source, _) = await IngestCriticalCefAsync();

        var listed = await StoredEventAsync(admin, source);
        var alerts = await admin.GetJsonAsync($"/api/alerts/?event__source={Uri.EscapeDataString(source)}");

        listed.GetProperty("format").GetString().Should().Be("CEF");
        listed.TryGetProperty("raw", out _).Should().BeFalse("a list stays lean: raw is up to 64 KiB an event");
        var nested = alerts.GetProperty("results").EnumerateArray().Single().GetProperty("event");
        nested.GetProperty("format").GetString().Should().Be("CEF");
        nested.TryGetProperty("raw", out _).Should().BeFalse();
    }

    [Fact]
    public async Task A_native_event_answers_format_native_and_no_raw_record()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var created = await admin.IngestOkAsync(EventsApi.NewEvent("CRITICAL"));

        var one = await admin.GetJsonAsync(EventsApi.Event(created.GetProperty("id").GetInt64()));
        var detail = await admin.GetJsonAsync(EventsApi.Alert(created.GetProperty("alert_id").GetInt64()));

        one.GetProperty("format").GetString().Should().Be("NATIVE");
        one.TryGetProperty("raw", out _).Should().BeFalse();
        detail.GetProperty("event").GetProperty("format").GetString().Should().Be("NATIVE");
    }

    private async Task<(HttpClient Admin, string Source, string Line)> IngestCriticalCefAsync()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var patched = await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { format = "CEF" });
        ((int)patched.StatusCode).Should().Be(200, await patched.Content.ReadAsStringAsync());
        var line = $"CEF:0|Acme|EdgeWall|7.2|fw:deny|Outbound C2 <b>blocked</b>|9|src=203.0.113.9 dst=10.1.2.3 dvchost={sensor.Source} externalId=r-1";

        var answer = await (await sensor.Client.PostRawRecordsAsync(line, "text/plain")).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(1);
        return (admin, sensor.Source, line);
    }

    private static async Task<JsonElement> StoredEventAsync(HttpClient admin, string source)
    {
        var page = await admin.GetJsonAsync($"/api/events/?source={Uri.EscapeDataString(source)}");
        return page.GetProperty("results").EnumerateArray().Single();
    }
}
