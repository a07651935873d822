using Serilog.Events;
using Serilog.Formatting.Display;
using ThreatPlatform.WebApi.Hosting;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Security;

public sealed class LogEscapingTests(InformationLogApiFactory factory) : IClassFixture<InformationLogApiFactory>
{
    [Fact]
    public async Task A_username_with_a_line_break_and_a_terminal_escape_is_logged_escaped_on_one_line()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var username = $"{marker}\nHTTP GET /forged responded 200\u001b[31m";

        await (await factory.CreateClient().LoginAsync(username, "whatever password")).ShouldBeProblemAsync(401);

        var lines = await RenderedLinesAsync(marker);
        lines.Should().NotBeEmpty("the failed sign-in is logged (its audit line names the username tried)");
        foreach (var line in lines)
        {
            line.TrimEnd('\n').Should().NotContain("\n").And.NotContain("\r").And.NotContain("\u001b");
            line.Should().Contain($"{marker}\\nHTTP GET /forged responded 200\\u001b[31m");
        }
    }

    [Fact]
    public async Task A_request_path_with_an_encoded_line_break_is_logged_escaped()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];

        await factory.CreateClient().GetAsync(new Uri($"/api/{marker}%0d%0aforged%1b[0m/", UriKind.Relative));

        var lines = await RenderedLinesAsync(marker);
        lines.Should().NotBeEmpty("the request line names the path");
        lines.Should().OnlyContain(l => l.Contains($"{marker}\\r\\nforged\\u001b[0m") && !l.TrimEnd('\n').Contains('\n'));
    }

    /// <summary>The events that mention <paramref name="marker"/>, as the text console format writes them.</summary>
    private async Task<List<string>> RenderedLinesAsync(string marker)
    {
        var formatter = new MessageTemplateTextFormatter(LogOutput.TextTemplate);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lines = new List<string>();
            foreach (var logEvent in factory.Logged.ToList())
            {
                using var output = new StringWriter();
                formatter.Format(logEvent, output);
                if (output.ToString().Contains(marker, StringComparison.Ordinal))
                {
                    lines.Add(output.ToString());
                }
            }

            if (lines.Count > 0 || DateTime.UtcNow > deadline)
            {
                return lines;
            }

            await Task.Delay(50);
        }
    }
}
