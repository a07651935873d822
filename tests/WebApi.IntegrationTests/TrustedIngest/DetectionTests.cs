using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.TrustedIngest;

public sealed class DetectionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static Dictionary<string, object?> Detected(string source, string technique, double confidence, string severity = "HIGH")
    {
        var body = EventsApi.NewEvent(severity, source);
        body["detection"] = new Dictionary<string, object?> { ["model"] = "lateral-v2", ["model_version"] = "2.3.1", ["confidence"] = confidence, ["technique"] = technique };
        return body;
    }

    [Fact]
    public async Task A_model_detection_is_stored_on_the_event_and_copied_to_its_alert()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var stored = await analyst.IngestOkAsync(Detected(BatchApi.NewSource(), "T1059.001", 0.93));

        var detection = stored.GetProperty("detection");
        detection.GetProperty("model").GetString().Should().Be("lateral-v2");
        detection.GetProperty("model_version").GetString().Should().Be("2.3.1");
        detection.GetProperty("confidence").GetDouble().Should().Be(0.93);
        detection.GetProperty("technique").GetString().Should().Be("T1059.001");
        var alert = await analyst.GetJsonAsync(EventsApi.Alert(stored.GetProperty("alert_id").GetInt64()));
        alert.GetProperty("detection").GetRawText().Should().Be(detection.GetRawText());
    }

    [Theory]
    [InlineData("""{"model":"m","confidence":1.5}""", "detection.confidence")]
    [InlineData("""{"model":"m","confidence":0.5,"technique":"T59"}""", "detection.technique")]
    [InlineData("""{"model":"m","confidence":0.5,"technique":"t1059.0011"}""", "detection.technique")]
    [InlineData("""{"confidence":0.5}""", "detection.model")]
    [InlineData("""{"model":"m"}""", "detection.confidence")]
    public async Task An_invalid_detection_is_a_400_naming_its_field(string detection, string field)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent("LOW");
        body["detection"] = JsonDocument.Parse(detection).RootElement;

        var problem = await (await analyst.IngestAsync(body)).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal(field);
    }

    [Fact]
    public async Task Technique_filter_matches_the_technique_and_its_sub_techniques_and_confidence_filter_is_inclusive()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var parent = (await analyst.IngestOkAsync(Detected(source, "T1059", 0.5))).GetProperty("alert_id").GetInt64();
        var child = (await analyst.IngestOkAsync(Detected(source, "T1059.001", 0.9))).GetProperty("alert_id").GetInt64();
        await analyst.IngestOkAsync(Detected(source, "T1058", 0.9));
        await analyst.IngestOkAsync(Detected(source, "T1021", 0.99));

        var byTechnique = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&detection__technique=t1059&ordering=created_at");
        var confident = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&detection__technique=T1059&detection__confidence__gte=0.9");
        var events = await analyst.GetJsonAsync($"/api/events/?source={source}&detection__technique=T1059.001");

        byTechnique.Ids().Should().Equal(parent, child);
        confident.Ids().Should().Equal(child);
        events.GetProperty("count").GetInt64().Should().Be(1);
    }

    [Theory]
    [InlineData("detection__confidence__gte=1.5")]
    [InlineData("detection__confidence__gte=high")]
    public async Task A_bad_confidence_filter_is_a_400_naming_it(string query)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var response = await analyst.GetAsync(new Uri("/api/alerts/?" + query, UriKind.Relative));

        (await response.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("detection__confidence__gte");
    }

    [Fact]
    public async Task Batch_ingest_stores_detections_and_their_alerts_carry_them()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();

        var answer = await (await analyst.PostArrayAsync([Detected(source, "T1566", 0.8, "CRITICAL"), Detected(source, "T1566", 0.2, "LOW")])).ShouldBeBatchAnswerAsync();

        answer.Should().BeEquivalentTo(new { Accepted = 2, AlertsCreated = 1 });
        var alerts = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&detection__technique=T1566");
        alerts.GetProperty("results")[0].GetProperty("detection").GetProperty("confidence").GetDouble().Should().Be(0.8);
    }
}
