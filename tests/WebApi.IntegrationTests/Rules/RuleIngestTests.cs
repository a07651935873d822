using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Rules;

/// <summary>Enabled rules run on every ingest path: a match raises an alert carrying the rule, with the rule's level as severity.</summary>
public sealed class RuleIngestTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_low_event_a_rule_matches_raises_an_alert_with_the_rules_level_and_the_rule()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker));

        var stored = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "c:\\temp\\Mimikatz.exe privilege::debug"));

        var alert = await admin.GetJsonAsync(EventsApi.Alert(stored.GetProperty("alert_id").GetInt64()));
        alert.GetProperty("severity").GetString().Should().Be("HIGH");
        var rule = alert.GetProperty("rule");
        rule.GetProperty("id").GetInt64().Should().Be(ruleId);
        rule.GetProperty("title").GetString().Should().Be("Credential dumping tool");
        rule.GetProperty("level").GetString().Should().Be("HIGH");
        rule.GetProperty("technique").GetString().Should().Be("T1003.001");
        (await admin.GetJsonAsync(RulesApi.Rule(ruleId))).GetProperty("hits").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task An_event_no_rule_matches_raises_nothing_and_severity_alerts_show_no_rule()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker));

        var quiet = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "notepad.exe"));
        var severe = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "notepad.exe", severity: "CRITICAL"));

        quiet.GetProperty("alert_id").ValueKind.Should().Be(JsonValueKind.Null);
        var alert = await admin.GetJsonAsync(EventsApi.Alert(severe.GetProperty("alert_id").GetInt64()));
        alert.GetProperty("rule").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_severe_event_two_rules_match_raises_three_alerts_and_names_the_first()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var first = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker, "mimikatz", "medium"));
        var second = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker, "sekurlsa", "critical"));

        var stored = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "mimikatz sekurlsa::logonpasswords", severity: "HIGH"));

        var alerts = await factory.WithDbAsync(db => db.Alerts.AsNoTracking().Where(a => a.Source == marker)
            .OrderBy(a => a.Id).Select(a => new { a.Id, a.RuleId, a.Severity }).ToListAsync());
        alerts.Select(a => a.RuleId).Should().Equal(null, first, second);
        alerts.Select(a => a.Severity.ToString()).Should().Equal("High", "Medium", "Critical");
        stored.GetProperty("alert_id").GetInt64().Should().Be(alerts[0].Id);
    }

    [Fact]
    public async Task An_informational_rule_raises_no_alert()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker, level: "informational"));

        var stored = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "mimikatz"));

        stored.GetProperty("alert_id").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_disabled_rule_stops_raising_alerts_and_an_enabled_one_starts()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = (await admin.CreateRuleOkAsync(RulesApi.CommandLineRule(marker), isActive: false)).GetProperty("id").GetInt64();

        var before = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "mimikatz"));
        (await admin.PatchJsonAsync(RulesApi.Rule(ruleId), new { is_active = true })).EnsureSuccessStatusCode();
        var after = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "mimikatz"));

        before.GetProperty("alert_id").ValueKind.Should().Be(JsonValueKind.Null);
        after.GetProperty("alert_id").ValueKind.Should().Be(JsonValueKind.Number);
    }

    [Fact]
    public async Task The_alert_list_filters_by_rule()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker));
        var other = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker, "procdump"));
        await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "mimikatz"));
        await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "procdump -ma lsass"));
        await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, "mimikatz again"));

        var alerts = await admin.AlertsOfRuleAsync(ruleId);

        alerts.Should().HaveCount(2).And.OnlyContain(a => a.GetProperty("rule").GetProperty("id").GetInt64() == ruleId);
        (await admin.AlertsOfRuleAsync(other)).Should().ContainSingle();
        await (await admin.GetAsync("/api/alerts/?rule=abc")).ShouldBeProblemAsync(400);
    }

    [Fact]
    public async Task A_grouping_sensor_folds_repeated_hits_of_a_rule_per_fingerprint_on_single_and_batch_ingest()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var ruleId = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(sensor.Source));

        await sensor.Client.IngestOkAsync(RulesApi.ProcessEvent(sensor.Source, "mimikatz one"));
        await sensor.Client.IngestOkAsync(RulesApi.ProcessEvent(sensor.Source, "mimikatz two"));
        var batch = await (await sensor.Client.PostArrayAsync([RulesApi.ProcessEvent(sensor.Source, "mimikatz three"), RulesApi.ProcessEvent(sensor.Source, "mimikatz four")]))
            .ShouldBeBatchAnswerAsync();

        batch.AlertsCreated.Should().Be(0);
        var alerts = await admin.AlertsOfRuleAsync(ruleId);
        alerts.Should().ContainSingle().Which.GetProperty("occurrences").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task The_same_events_through_single_batch_and_raw_ingest_raise_the_same_alerts()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var single = await factory.SensorWithKeyAsync(admin);
        var batch = await factory.SensorWithKeyAsync(admin);
        var raw = await factory.SensorWithKeyAsync(admin);
        (await admin.PatchJsonAsync(SensorsApi.Sensor(raw.SensorId), new { format = "ECS", grouping = false })).EnsureSuccessStatusCode();
        (await admin.PatchJsonAsync(SensorsApi.Sensor(single.SensorId), new { grouping = false })).EnsureSuccessStatusCode();
        (await admin.PatchJsonAsync(SensorsApi.Sensor(batch.SensorId), new { grouping = false })).EnsureSuccessStatusCode();
        var family = RulesApi.Marker();
        await admin.CreateRuleIdAsync($"""
            title: Encoded PowerShell {family}
            level: medium
            tags: [attack.t1059.001]
            detection:
                selection:
                    process.command_line|contains|all:
                        - 'powershell'
                        - ' -enc'
                filter:
                    process.parent|endswith: '\trusted.exe'
                condition: selection and not filter
            """);
        await admin.CreateRuleIdAsync($"""
            title: Internal scan {family}
            level: critical
            detection:
                selection:
                    source_ip|cidr: 10.9.0.0/16
                    description|re: '^(probe|scan) [0-9]+$'
                condition: selection
            """);
        (string Ip, string Text, string Command, string Parent)[] samples =
        [
            ("10.9.1.1", "scan 22", "powershell.exe -enc SQBFAFgA", "explorer.exe"),
            ("10.9.1.2", "probe 80", "cmd.exe /c dir", "explorer.exe"),
            ("192.0.2.1", "scan 443", "POWERSHELL -ENC AAAA", "C:\\app\\trusted.exe"),
            ("192.0.2.2", "hello", "powershell -EncodedCommand AAAA", "services.exe"),
        ];
        Dictionary<string, object?> Native(string source, (string Ip, string Text, string Command, string Parent) s) => new()
        {
            ["source"] = source,
            ["event_type"] = "process_start",
            ["severity"] = "LOW",
            ["description"] = s.Text,
            ["source_ip"] = s.Ip,
            ["metadata"] = new Dictionary<string, object> { ["process"] = new Dictionary<string, object> { ["command_line"] = s.Command, ["parent"] = s.Parent } },
        };

        foreach (var sample in samples)
        {
            await single.Client.IngestOkAsync(Native(single.Source, sample));
        }

        await (await batch.Client.PostArrayAsync([.. samples.Select(s => Native(batch.Source, s))])).ShouldBeBatchAnswerAsync();
        var lines = samples.Select(s => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@timestamp"] = "2026-12-01T10:00:00Z",
            ["message"] = s.Text,
            ["event"] = new { action = "process_start", severity = 1 },
            ["observer"] = new { name = raw.Source },
            ["source"] = new { ip = s.Ip },
            ["process"] = new { command_line = s.Command, parent = s.Parent },
        }));
        await (await raw.Client.PostRawRecordsAsync(string.Join('\n', lines), "application/x-ndjson")).ShouldBeBatchAnswerAsync();

        async Task<List<string>> AlertsOf(string source) => [.. (await factory.WithDbAsync(db => db.Alerts.AsNoTracking()
                .Where(a => a.Source == source)
                .Select(a => new { a.RuleTitle, a.Severity, a.Description, a.Occurrences })
                .ToListAsync()))
            .Select(a => $"{a.RuleTitle} | {a.Severity} | {a.Description} | {a.Occurrences}")];
        var expected = new[]
        {
            $"Encoded PowerShell {family} | Medium | scan 22 | 1",
            $"Internal scan {family} | Critical | scan 22 | 1",
            $"Internal scan {family} | Critical | probe 80 | 1",
            $"Encoded PowerShell {family} | Medium | hello | 1",
        };
        (await AlertsOf(single.Source)).Should().BeEquivalentTo(expected);
        (await AlertsOf(batch.Source)).Should().BeEquivalentTo(expected);
        (await AlertsOf(raw.Source)).Should().BeEquivalentTo(expected);
    }

    [Fact]
    public async Task A_rule_naming_a_logsource_applies_only_to_sensors_with_that_logsource()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var linux = await factory.SensorWithKeyAsync(admin);
        var windows = await factory.SensorWithKeyAsync(admin);
        var patched = await EventsApi.JsonAsync(await admin.PatchJsonAsync(SensorsApi.Sensor(linux.SensorId), new { logsource = new { product = "Linux", service = "sshd" } }));
        (await admin.PatchJsonAsync(SensorsApi.Sensor(windows.SensorId), new { logsource = new { product = "windows" } })).EnsureSuccessStatusCode();
        var family = RulesApi.Marker();
        var ruleId = await admin.CreateRuleIdAsync($"""
            title: SSH root login attempt {family}
            level: medium
            logsource:
                product: linux
                service: sshd
            detection:
                selection:
                    description|contains: 'for root'
                condition: selection
            """);

        await linux.Client.IngestOkAsync(RulesApi.FailedLogin(linux.Source, DateTimeOffset.UtcNow.AddMinutes(-1)));
        await windows.Client.IngestOkAsync(RulesApi.FailedLogin(windows.Source, DateTimeOffset.UtcNow.AddMinutes(-1)));
        await admin.IngestOkAsync(RulesApi.FailedLogin(family, DateTimeOffset.UtcNow.AddMinutes(-1)));

        patched.GetProperty("logsource").GetProperty("product").GetString().Should().Be("linux");
        (await admin.AlertsOfRuleAsync(ruleId)).Should().ContainSingle()
            .Which.GetProperty("source").GetString().Should().Be(linux.Source);
    }

    [Fact]
    public async Task A_rule_with_a_catastrophic_regex_does_not_make_ingest_fail()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        await admin.CreateRuleIdAsync($"""
            title: Hostile pattern
            level: high
            detection:
                selection:
                    source: '{marker}'
                    process.command_line|re: '^(a+)+$'
                condition: selection
            """);

        var stored = await admin.IngestOkAsync(RulesApi.ProcessEvent(marker, new string('a', 5_000) + "!"));

        stored.GetProperty("alert_id").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_rule_saved_on_one_host_runs_on_another_host_within_two_seconds()
    {
        await using var hostB = factory.OnSameDatabase();
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var adminOnB = await hostB.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        await adminOnB.IngestOkAsync(RulesApi.ProcessEvent(marker, "warm up the rule set on B"));

        await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var stored = await adminOnB.IngestOkAsync(RulesApi.ProcessEvent(marker, "mimikatz"));
            if (stored.GetProperty("alert_id").ValueKind == JsonValueKind.Number)
            {
                break;
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "host B runs the new rule within 2 s");
            await Task.Delay(100);
        }
    }
}
