using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Limits;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Operations;

/// <summary>The API with the default metrics access (loopback only) and a peer address the tests choose.</summary>
public sealed class PeerApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseTestPeerAddress();
}

/// <summary>Metrics allowed to one monitoring network only, and traces exported to an OTLP endpoint.</summary>
public sealed class MonitoringNetworkApiFactory : ApiFactory
{
    public const string Monitoring = "198.51.100.20";

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Metrics:AllowedNetworks:0", "198.51.100.0/24");
        // Nothing listens there: the exporter drops what it cannot send, in the background.
        builder.UseSetting("OpenTelemetry:OtlpEndpoint", "http://127.0.0.1:9");
        builder.UseTestPeerAddress();
    }
}

public sealed class MetricsTests(PeerApiFactory factory) : IClassFixture<PeerApiFactory>
{
    private static readonly Uri Metrics = new("/metrics", UriKind.Relative);

    [Fact]
    public async Task Loopback_reads_prometheus_text_with_request_durations_ingest_counts_and_the_connection_pool()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        await analyst.RaiseAlertAsync("CRITICAL");
        (await analyst.GetAsync(EventsApi.Alerts)).StatusCode.Should().Be(HttpStatusCode.OK);

        var response = await factory.CreateClient().From("127.0.0.1").GetAsync(Metrics);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("http_request_duration_seconds_bucket{").And.Contain("api/alerts/").And.Contain("code=\"200\"");
        text.Should().Contain("threatplatform_events_ingested_total{sensor=\"user\"}");
        text.Should().Contain("threatplatform_alerts_raised_total{sensor=\"user\"}");
        text.Should().Contain("threatplatform_alert_stream_clients");
        text.Should().Contain("db_client_connection", "Npgsql's pool meters are exported");
    }

    [Fact]
    public async Task Requests_are_measured_by_one_histogram_without_a_second_counter_or_an_in_progress_gauge()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        await analyst.IngestOkAsync(EventsApi.NewEvent("LOW"));

        var text = await (await factory.CreateClient().From("127.0.0.1").GetAsync(Metrics)).Content.ReadAsStringAsync();

        text.Should().Contain("http_request_duration_seconds_count{").And.Contain("api/events/");
        text.Should().NotContain("http_requests_received_total", "the histogram's _count is the request counter");
        text.Should().NotContain("http_requests_in_progress");
    }

    [Fact]
    public async Task A_single_event_that_folds_into_its_fingerprints_alert_counts_one_grouped_and_no_raised_alert()
    {
        var sensor = await SensorOfItsOwnAsync();
        (await CounterAsync(Grouped, sensor)).Should().Be(0);

        var first = await sensor.Client.IngestOkAsync(BatchApi.Event(sensor.Source, "HIGH"));
        var second = await sensor.Client.IngestOkAsync(BatchApi.Event(sensor.Source, "HIGH"));

        second.GetProperty("alert_id").GetInt64().Should().Be(first.GetProperty("alert_id").GetInt64(), "the second event folded");
        (await CounterAsync(Grouped, sensor)).Should().Be(1);
        (await CounterAsync(Raised, sensor)).Should().Be(1, "a fold raises no alert");
    }

    [Fact]
    public async Task A_batch_counts_every_event_it_folded_into_an_open_alert_or_into_the_alert_its_first_event_raised()
    {
        var sensor = await SensorOfItsOwnAsync();
        await sensor.Client.IngestOkAsync(BatchApi.Event(sensor.Source, "HIGH"));

        var intoOpen = await (await sensor.Client.PostBatchAsync(
            BatchApi.Event(sensor.Source, "HIGH"), BatchApi.Event(sensor.Source, "CRITICAL"), BatchApi.Event(sensor.Source, "HIGH"))).ShouldBeBatchAnswerAsync();

        intoOpen.AlertsCreated.Should().Be(0);
        (await CounterAsync(Grouped, sensor)).Should().Be(3);

        var newFingerprint = await (await sensor.Client.PostBatchAsync(
            BatchApi.Event(sensor.Source, "HIGH", eventType: "brute_force"),
            BatchApi.Event(sensor.Source, "HIGH", eventType: "brute_force"),
            BatchApi.Event(sensor.Source, "LOW", eventType: "brute_force"))).ShouldBeBatchAnswerAsync();

        newFingerprint.AlertsCreated.Should().Be(1);
        (await CounterAsync(Grouped, sensor)).Should().Be(4, "the batch's second severe event folded into the alert its first raised");
        (await CounterAsync(Raised, sensor)).Should().Be(2);
    }

    private const string Grouped = "threatplatform_alerts_grouped_total";
    private const string Raised = "threatplatform_alerts_raised_total";

    /// <summary>
    /// A grouping sensor whose id no other test's sensor has: the counters live for the whole test process, and every test
    /// class has a database of its own whose sensor ids start at 1, so a sensor label is only this test's with an id
    /// taken far from the others.
    /// </summary>
    private async Task<SensorWithKey> SensorOfItsOwnAsync()
    {
        var start = Random.Shared.NextInt64(1_000_000_000_000, 2_000_000_000_000);
        // DDL takes no parameters: the number is written into the statement.
        var restart = "ALTER TABLE sensors ALTER COLUMN id RESTART WITH " + start.ToString(CultureInfo.InvariantCulture);
        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(restart));
        var sensor = await factory.SensorWithKeyAsync(await factory.CreateClientAsAsync(UserRole.Admin));
        sensor.SensorId.Should().BeGreaterThanOrEqualTo(start);
        return sensor;
    }

    /// <summary>The counter's value for the sensor's label, 0 when the series is not there yet (nothing counted).</summary>
    private async Task<double> CounterAsync(string name, SensorWithKey sensor)
    {
        var text = await factory.CreateClient().From("127.0.0.1").GetStringAsync(Metrics);
        var prefix = $"{name}{{sensor=\"{sensor.SensorId.ToString(CultureInfo.InvariantCulture)}\"}} ";
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("203.0.113.9")]
    [InlineData("2001:db8::9")]
    [InlineData(null)]
    public async Task Anyone_else_gets_a_404_problem(string? address)
    {
        var client = factory.CreateClient();
        if (address is not null)
        {
            client.From(address);
        }

        var response = await client.GetAsync(Metrics);

        await response.ShouldBeProblemAsync(404);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("http_request_duration_seconds");
    }

    [Fact]
    public void No_tracer_is_set_up_without_an_otlp_endpoint() =>
        factory.Services.GetService<TracerProvider>().Should().BeNull();
}

public sealed class MonitoringNetworkTests(MonitoringNetworkApiFactory factory) : IClassFixture<MonitoringNetworkApiFactory>
{
    private static readonly Uri Metrics = new("/metrics", UriKind.Relative);

    [Fact]
    public async Task Only_the_configured_network_reads_metrics_and_loopback_no_longer_does()
    {
        (await factory.CreateClient().From(MonitoringNetworkApiFactory.Monitoring).GetAsync(Metrics)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await factory.CreateClient().From("127.0.0.1").GetAsync(Metrics)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/METRICS")]
    [InlineData("/Metrics")]
    [InlineData("/metrics/")]
    [InlineData("/MeTrIcS/")]
    public async Task Every_spelling_of_the_path_is_refused_to_an_address_outside_the_network(string path)
    {
        var response = await factory.CreateClient().From("127.0.0.1").GetAsync(new Uri(path, UriKind.Relative));

        await response.ShouldBeProblemAsync(404);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("http_request_duration_seconds");
    }

    [Theory]
    [InlineData("/METRICS")]
    [InlineData("/metrics/")]
    public async Task Every_spelling_of_the_path_answers_the_allowed_network(string path)
    {
        var response = await factory.CreateClient().From(MonitoringNetworkApiFactory.Monitoring).GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("http_request_duration_seconds");
    }

    [Fact]
    public async Task The_runtimes_private_diagnostics_meters_are_not_exported()
    {
        var text = await factory.CreateClient().From(MonitoringNetworkApiFactory.Monitoring).GetStringAsync(Metrics);

        text.Should().NotContainEquivalentOf("private_internaldiagnostics").And.NotContainEquivalentOf("msquic");
        text.Should().Contain("db_client_connection", "the other .NET meters still are");
    }

    [Fact]
    public void Traces_are_exported_when_an_otlp_endpoint_is_configured() =>
        factory.Services.GetService<TracerProvider>().Should().NotBeNull();
}
