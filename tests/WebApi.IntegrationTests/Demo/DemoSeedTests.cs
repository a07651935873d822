using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Demo;

/// <summary>
/// `make demo`'s data stays acceptable to the API: scripts/demo-seed.py --emit prints the demo's sensors and the week of
/// records it writes for them, and each sensor is created here and its records posted as the seeder posts them. The
/// rest of the seed (users, triage, notifications) is plain use of endpoints other tests cover.
/// </summary>
public sealed partial class DemoSeedTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_record_the_demo_seeds_is_accepted_and_every_sensor_raises_alerts()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        foreach (var sensor in (await EmitAsync()).GetProperty("sensors").EnumerateArray())
        {
            var name = sensor.GetProperty("name").GetString()!;
            var created = await admin.CreateSensorAsync(new
            {
                name,
                kind = sensor.GetProperty("kind").GetString(),
                format = sensor.GetProperty("format").GetString(),
                grouping = sensor.GetProperty("grouping").GetBoolean(),
                sources = sensor.GetProperty("sources").EnumerateArray().Select(s => s.GetString()).ToArray(),
                description = sensor.GetProperty("description").GetString(),
                syslog_networks = sensor.TryGetProperty("syslog_networks", out var networks)
                    ? networks.EnumerateArray().Select(n => n.GetString()).ToArray()
                    : null,
            });
            ((int)created.StatusCode).Should().Be(201, await created.Content.ReadAsStringAsync());
            var key = await admin.CreateKeyOkAsync((await EventsApi.JsonAsync(created)).GetProperty("id").GetInt64());
            var records = sensor.GetProperty("records").EnumerateArray().Select(r => r.GetString()!).ToList();
            using var body = new StringContent(string.Join('\n', records) + "\n", Encoding.UTF8);
            body.Headers.ContentType = MediaTypeHeaderValue.Parse(sensor.GetProperty("content_type").GetString()!);
            var path = sensor.GetProperty("endpoint").GetString() == "batch" ? "/api/events/batch/" : "/api/ingest/raw/";

            var answer = await (await factory.ClientWithKey(key.GetProperty("key").GetString()!)
                .PostAsync(new Uri(path, UriKind.Relative), body)).ShouldBeBatchAnswerAsync();

            answer.Rejected.Should().BeEmpty($"every record of {name} should be accepted");
            answer.Accepted.Should().Be(records.Count, name);
            answer.AlertsCreated.Should().BePositive($"{name} should raise alerts for the queue");
        }
    }

    [Fact]
    public async Task The_demo_has_a_sensor_of_every_kind_and_every_format()
    {
        var sensors = (await EmitAsync()).GetProperty("sensors").EnumerateArray().ToList();

        sensors.Select(s => s.GetProperty("kind").GetString()).Distinct()
            .Should().BeEquivalentTo(Enum.GetNames<SensorKind>().Select(Wire));
        sensors.Select(s => s.GetProperty("format").GetString()).Distinct()
            .Should().BeEquivalentTo(Enum.GetNames<EventFormat>().Select(Wire));
    }

    private static string Wire(string name) => WordStart().Replace(name, "_$1").ToUpperInvariant();

    private static async Task<JsonElement> EmitAsync()
    {
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { Path.Combine(RepositoryRoot(), "scripts", "demo-seed.py"), "--emit" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, await error);
        using var document = JsonDocument.Parse(await output);
        return document.RootElement.Clone();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ThreatPlatform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ThreatPlatform.sln not found above the test binaries.");
    }

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex WordStart();
}
