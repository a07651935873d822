using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Serilog.Events;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Audit;

/// <summary>The API with its audit log events captured (category ThreatPlatform.Audit at Information).</summary>
public sealed class AuditEventCaptureApiFactory : ApiFactory
{
    private readonly LogCapture _capture = new();

    public ConcurrentQueue<LogEvent> Logged => _capture.Logged;

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Serilog:MinimumLevel:Override:ThreatPlatform.Audit", "Information");
        _capture.AddTo(builder);
    }
}

public sealed class AuditLogEventTests(AuditEventCaptureApiFactory factory) : IClassFixture<AuditEventCaptureApiFactory>
{
    [Fact]
    public async Task Every_audit_entry_is_also_a_structured_log_event_with_its_fields()
    {
        var username = AuthApi.NewUsername("logged");
        await (await factory.CreateClientFrom("192.0.2.99").LoginAsync(username, "a wrong password")).ShouldBeProblemAsync(401);

        var logged = factory.Logged.Where(e => e.Properties.TryGetValue("AuditActor", out var actor) && actor.ToString() == $"\"{username}\"").ToList();

        logged.Should().ContainSingle();
        var properties = logged[0].Properties;
        properties["AuditAction"].ToString().Should().Be("\"LOGIN_FAILED\"");
        properties["ClientAddress"].ToString().Should().Be("\"192.0.2.99\"");
        properties["AuditDetail"].ToString().Should().Be("\"unknown username\"");
        properties["AuditHash"].ToString().Trim('"').Should().MatchRegex("^[0-9a-f]{64}$");
        properties["SourceContext"].ToString().Should().Be("\"ThreatPlatform.Audit\"");
    }

    [Fact]
    public async Task Each_committed_append_also_publishes_a_signed_checkpoint_log_event()
    {
        var username = AuthApi.NewUsername("anchored");
        await (await factory.CreateClientFrom("192.0.2.98").LoginAsync(username, "a wrong password")).ShouldBeProblemAsync(401);
        var entry = factory.Logged.Single(e => e.Properties.TryGetValue("AuditActor", out var actor) && actor.ToString() == $"\"{username}\"");
        var id = entry.Properties["AuditId"].ToString();

        var checkpoint = factory.Logged.Where(e => e.Properties.TryGetValue("AuditCheckpointId", out var at) && at.ToString() == id).ToList();

        checkpoint.Should().ContainSingle();
        checkpoint[0].Properties["AuditCheckpointHash"].ToString().Should().Be(entry.Properties["AuditHash"].ToString());
        checkpoint[0].Properties["AuditCheckpointMac"].ToString().Trim('"').Should().MatchRegex("^[0-9a-f]{64}$");
    }
}
