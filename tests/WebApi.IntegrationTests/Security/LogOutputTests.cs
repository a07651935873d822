using System.Text.Json;
using Serilog;
using ThreatPlatform.WebApi.Hosting;

namespace ThreatPlatform.WebApi.IntegrationTests.Security;

public sealed class LogOutputTests
{
    [Fact]
    public void Json_format_writes_one_compact_json_object_per_event_with_its_properties()
    {
        using var output = new StringWriter();
        using (var logger = new LoggerConfiguration().WriteToConsole("json", output).CreateLogger())
        {
            logger.Information("Audit {AuditAction} on {AuditTarget}", "LOGIN_FAILED", "user:7");
        }

        using var line = JsonDocument.Parse(output.ToString().Trim());
        line.RootElement.GetProperty("@mt").GetString().Should().Be("Audit {AuditAction} on {AuditTarget}");
        line.RootElement.GetProperty("AuditAction").GetString().Should().Be("LOGIN_FAILED");
        line.RootElement.GetProperty("AuditTarget").GetString().Should().Be("user:7");
        line.RootElement.TryGetProperty("@t", out _).Should().BeTrue();
    }

    [Fact]
    public void Text_format_writes_a_readable_line()
    {
        using var output = new StringWriter();
        using (var logger = new LoggerConfiguration().WriteToConsole("text", output).CreateLogger())
        {
            logger.Information("Audit {AuditAction}", "LOGIN_FAILED");
        }

        output.ToString().Should().Contain("INF] Audit LOGIN_FAILED");
    }

    [Fact]
    public void An_unknown_format_stops_the_start_naming_the_setting()
    {
        var act = () => new LoggerConfiguration().WriteToConsole("xml", new StringWriter());

        act.Should().Throw<InvalidOperationException>().WithMessage("*LogFormat*");
    }
}
