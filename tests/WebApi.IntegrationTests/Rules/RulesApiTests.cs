using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Rules;

/// <summary>/api/rules/ (API.md v1.2 "Detection rules (Sigma)"): CRUD, validation with line and column, roles, audit, dry runs.</summary>
public sealed class RulesApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_admin_saves_a_sigma_rule_and_its_fields_come_from_the_document()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sigma = RulesApi.CommandLineRule(RulesApi.Marker(), level: "critical");

        var rule = await admin.CreateRuleOkAsync(sigma);

        rule.GetProperty("title").GetString().Should().Be("Credential dumping tool");
        rule.GetProperty("level").GetString().Should().Be("CRITICAL");
        rule.GetProperty("status").GetString().Should().Be("test");
        rule.GetProperty("sigma_id").GetString().Should().MatchRegex("^[0-9a-f-]{36}$");
        rule.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("attack.credential_access", "attack.t1003.001");
        rule.GetProperty("technique").GetString().Should().Be("T1003.001");
        rule.GetProperty("is_active").GetBoolean().Should().BeTrue();
        rule.GetProperty("hits").GetInt64().Should().Be(0);
        rule.GetProperty("sigma").GetString().Should().Be(sigma);
        var read = await admin.GetJsonAsync(RulesApi.Rule(rule.GetProperty("id").GetInt64()));
        read.GetProperty("title").GetString().Should().Be("Credential dumping tool");
    }

    [Fact]
    public async Task A_document_that_is_not_valid_sigma_is_a_400_naming_sigma_with_line_and_column()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        const string sigma = "title: Broken\ndetection:\n    selection:\n        Image|endswith: '\\\\evil.exe'\n    condition: selection and not filter\n";

        var problem = await (await admin.PostJsonAsync(RulesApi.Rules, new { sigma })).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("sigma");
        problem.GetProperty("errors").GetProperty("sigma")[0].GetString().Should()
            .Be("line 5, column 34: Condition: 'filter' is not a search identifier of this rule's detection.");
    }

    [Theory]
    [InlineData("title: x\ndetection:\n    sel:\n        A|utf16le: b\n    condition: sel\n", "line 4, column 9: The modifier 'utf16le' is not supported.")]
    [InlineData("title: x\ndetection: [", "line 3, column 1: Not valid YAML")]
    [InlineData("", "sigma is required")]
    public async Task Unsupported_or_unreadable_sigma_says_what_and_where(string sigma, string message)
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var problem = await (await admin.PostJsonAsync(RulesApi.Rules, new { sigma })).ShouldBeProblemAsync(400);

        problem.GetProperty("errors").GetProperty("sigma")[0].GetString().Should().StartWith(message);
    }

    [Fact]
    public async Task An_analyst_reads_rules_but_cannot_write_or_test_them()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var id = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(RulesApi.Marker()));

        (await analyst.GetAsync(RulesApi.Rule(id))).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await analyst.GetAsync(RulesApi.Rules)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        await (await analyst.PostJsonAsync(RulesApi.Rules, new { sigma = RulesApi.CommandLineRule("x") })).ShouldBeProblemAsync(403);
        await (await analyst.PatchJsonAsync(RulesApi.Rule(id), new { is_active = false })).ShouldBeProblemAsync(403);
        await (await analyst.PostJsonAsync(RulesApi.Test, new { sigma = RulesApi.CommandLineRule("x"), events = Array.Empty<object>() })).ShouldBeProblemAsync(403);
        await (await analyst.DeleteAsync(RulesApi.Rule(id))).ShouldBeProblemAsync(403);
    }

    [Fact]
    public async Task Put_replaces_the_document_patch_switches_it_and_delete_removes_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var id = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(marker));

        var replaced = await EventsApi.JsonAsync(await admin.PutJsonAsync(RulesApi.Rule(id), new { sigma = RulesApi.CommandLineRule(marker, level: "low", title: "Renamed") }));
        var patched = await EventsApi.JsonAsync(await admin.PatchJsonAsync(RulesApi.Rule(id), new { is_active = false }));
        var deleted = await admin.DeleteAsync(RulesApi.Rule(id));

        replaced.GetProperty("title").GetString().Should().Be("Renamed");
        replaced.GetProperty("level").GetString().Should().Be("LOW");
        patched.GetProperty("is_active").GetBoolean().Should().BeFalse();
        deleted.StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);
        await (await admin.GetAsync(RulesApi.Rule(id))).ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task A_replacement_that_does_not_compile_leaves_the_rule_as_it_was()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sigma = RulesApi.CommandLineRule(RulesApi.Marker());
        var id = await admin.CreateRuleIdAsync(sigma);

        await (await admin.PutJsonAsync(RulesApi.Rule(id), new { sigma = "title: half\ndetection:\n    sel:\n        A: b\n" })).ShouldBeProblemAsync(400);

        (await admin.GetJsonAsync(RulesApi.Rule(id))).GetProperty("sigma").GetString().Should().Be(sigma);
    }

    [Fact]
    public async Task Patch_without_is_active_is_a_400_naming_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var id = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(RulesApi.Marker()));

        var problem = await (await admin.PatchJsonAsync(RulesApi.Rule(id), new { })).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("is_active");
    }

    [Fact]
    public async Task Rule_changes_are_in_the_audit_log()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var id = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule(RulesApi.Marker()));
        (await admin.PatchJsonAsync(RulesApi.Rule(id), new { is_active = false })).EnsureSuccessStatusCode();
        (await admin.DeleteAsync(RulesApi.Rule(id))).EnsureSuccessStatusCode();

        var actions = await factory.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(a => a.Target == $"rule:{id}").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());

        actions.Should().Equal(AuditAction.DetectionRuleCreated, AuditAction.DetectionRuleUpdated, AuditAction.DetectionRuleDeleted);
    }

    [Fact]
    public async Task The_list_filters_by_active_level_and_search()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var high = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule("a", title: $"High {marker}"));
        var low = await admin.CreateRuleIdAsync(RulesApi.CommandLineRule("b", level: "low", title: $"Low {marker}"));
        (await admin.PatchJsonAsync(RulesApi.Rule(low), new { is_active = false })).EnsureSuccessStatusCode();

        (await admin.GetJsonAsync($"/api/rules/?search={marker}")).Ids().Should().Equal(high, low);
        (await admin.GetJsonAsync($"/api/rules/?search={marker}&level=LOW")).Ids().Should().Equal(low);
        (await admin.GetJsonAsync($"/api/rules/?search={marker}&is_active=true")).Ids().Should().Equal(high);
        await (await admin.GetAsync("/api/rules/?level=SEVERE")).ShouldBeProblemAsync(400);
    }

    [Fact]
    public async Task A_dry_run_answers_matches_and_alerts_and_stores_nothing()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var events = new[]
        {
            RulesApi.ProcessEvent(marker, "mimikatz.exe sekurlsa::logonpasswords"),
            RulesApi.ProcessEvent(marker, "notepad.exe"),
            RulesApi.ProcessEvent(marker, "C:\\tools\\MIMIKATZ.EXE"),
        };

        var result = await EventsApi.JsonAsync(await admin.PostJsonAsync(RulesApi.Test, new { sigma = RulesApi.CommandLineRule(marker), events }));

        result.GetProperty("matches").EnumerateArray().Select(m => m.GetInt32()).Should().Equal(0, 2);
        var alerts = result.GetProperty("alerts").EnumerateArray().ToList();
        alerts.Select(a => string.Join(',', a.GetProperty("events").EnumerateArray().Select(e => e.GetInt32()))).Should().Equal("0", "2");
        alerts[0].GetProperty("rule").GetProperty("level").GetString().Should().Be("HIGH");
        alerts[0].GetProperty("rule").GetProperty("technique").GetString().Should().Be("T1003.001");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == marker))).Should().Be(0);
    }

    [Fact]
    public async Task A_dry_run_of_a_correlation_names_the_events_of_each_alert()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        var t0 = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 4).Select(i => RulesApi.FailedLogin(marker, t0.AddSeconds(i * 10))).ToArray();

        var result = await EventsApi.JsonAsync(await admin.PostJsonAsync(RulesApi.Test, new { sigma = RulesApi.BruteForceRule(marker, 3), events }));

        result.GetProperty("matches").GetArrayLength().Should().Be(4);
        result.GetProperty("alerts").EnumerateArray().Select(a => string.Join(',', a.GetProperty("events").EnumerateArray().Select(e => e.GetInt32())))
            .Should().Equal("0,1,2");
    }

    [Fact]
    public async Task A_dry_run_names_a_bad_sample_event_by_its_index()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var bad = RulesApi.ProcessEvent("x", "y");
        bad["severity"] = "SEVERE";

        var problem = await (await admin.PostJsonAsync(RulesApi.Test, new { sigma = RulesApi.CommandLineRule("x"), events = new[] { RulesApi.ProcessEvent("x", "y"), bad } }))
            .ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Equal("events[1].severity");
    }
}
