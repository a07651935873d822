using System.Net;
using Serilog.Events;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Operations;

/// <summary>
/// The request log's line says the status the client received, a refusal the API meant (400, 404, 409, 429) is no
/// error and carries no stack trace anywhere in the log, and a real failure is a 500 logged as an error with its
/// exception. Anyone who alerts on 5xx in the logs is paged for real failures only.
/// </summary>
public sealed class RequestLogTests(InformationLogApiFactory factory) : IClassFixture<InformationLogApiFactory>
{
    [Fact]
    public async Task A_request_that_fails_validation_is_logged_as_the_400_it_answered()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var body = EventsApi.NewEvent();
        body["severity"] = "APOCALYPTIC";

        await AssertLoggedAsRefusalAsync(() => analyst.IngestAsync(body), 400, "/api/events/");
    }

    [Fact]
    public async Task A_missing_alert_is_logged_as_the_404_it_answered()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        await AssertLoggedAsRefusalAsync(() => analyst.GetAsync(EventsApi.Alert(987_654_321)), 404, "/api/alerts/987654321/");
    }

    [Fact]
    public async Task An_idempotency_conflict_is_logged_as_the_409_it_answered()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var first = EventsApi.NewEvent("LOW", source, "noise");
        first["external_id"] = "evt-log-1";
        await analyst.IngestOkAsync(first);
        var second = EventsApi.NewEvent("CRITICAL", source, "intrusion");
        second["external_id"] = "evt-log-1";

        await AssertLoggedAsRefusalAsync(() => analyst.IngestAsync(second), 409, "/api/events/");
    }

    [Fact]
    public async Task A_throttled_sign_in_is_logged_as_the_429_it_answered()
    {
        var client = factory.CreateClientFrom("198.51.100.77");
        var username = AuthApi.NewUsername("throttled");
        for (var attempt = 0; attempt < 4; attempt++)
        {
            await client.LoginAsync(username, "a wrong password");
        }

        // Each failure past the free ones makes the client wait longer: one of the next few lands inside a wait.
        HttpResponseMessage? throttled = null;
        var before = factory.Logged.Count;
        for (var attempt = 0; attempt < 8 && throttled is null; attempt++)
        {
            before = factory.Logged.Count;
            var response = await client.LoginAsync(username, "a wrong password");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throttled = response;
            }
        }

        throttled.Should().NotBeNull("the sign-in throttle answers 429 within a few failures");
        AssertRequestLine(Since(before), "/api/auth/login/", 429).Level.Should().Be(LogEventLevel.Warning);
        Since(before).Should().NotContain(e => e.Exception != null || e.Level >= LogEventLevel.Error);
    }

    [Fact]
    public async Task A_real_failure_is_logged_as_the_500_it_answered_with_its_exception()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"doomed-{Guid.NewGuid():N}"[..15];
        await factory.RefuseAlertsFromAsync(source);
        var before = factory.Logged.Count;

        var response = await analyst.IngestAsync(EventsApi.NewEvent("CRITICAL", source));

        ((int)response.StatusCode).Should().Be(500);
        var logged = Since(before);
        AssertRequestLine(logged, "/api/events/", 500).Level.Should().Be(LogEventLevel.Error);
        logged.Should().Contain(e => e.Level == LogEventLevel.Error && e.Exception != null, "the failure's stack trace is logged once");
    }

    private async Task AssertLoggedAsRefusalAsync(Func<Task<HttpResponseMessage>> send, int status, string path)
    {
        var before = factory.Logged.Count;

        var response = await send();

        ((int)response.StatusCode).Should().Be(status, await response.Content.ReadAsStringAsync());
        var logged = Since(before);
        AssertRequestLine(logged, path, status).Level.Should().Be(LogEventLevel.Information);
        logged.Should().NotContain(e => e.Exception != null || e.Level >= LogEventLevel.Error, "a refusal the API meant is no error");
    }

    private List<LogEvent> Since(int count) => factory.Logged.Skip(count).ToList();

    private static LogEvent AssertRequestLine(IEnumerable<LogEvent> logged, string path, int status)
    {
        var line = logged.Where(e => e.Properties.TryGetValue("RequestPath", out var p) && p.ToString() == $"\"{path}\""
                                     && e.Properties.ContainsKey("StatusCode") && e.Properties.ContainsKey("Elapsed")).ToList();
        line.Should().ContainSingle("one request log line for {0}", path);
        line[0].Properties["StatusCode"].ToString().Should().Be(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        line[0].Exception.Should().BeNull("the request log line carries no stack trace");
        return line[0];
    }
}
