using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

public sealed class BulkTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const long Unknown = 987_654_321;
    private static readonly string[] AddCampaign = ["campaign:x"];
    private static readonly string[] RemoveOld = ["old"];
    private static readonly int[] OneId = [1];

    [Fact]
    public async Task Bulk_status_applies_to_each_alert_on_its_own_and_reports_each_failure()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var open = await admin.RaiseAlertAsync();
        var alsoOpen = await admin.RaiseAlertAsync();
        var closed = await admin.RaiseAlertAsync();
        (await admin.ChangeStatusAsync(closed, "RESOLVED")).EnsureSuccessStatusCode();

        var results = await admin.BulkOkAsync(new { ids = new[] { open, Unknown, closed, alsoOpen }, action = "status", status = "ACKNOWLEDGED", note = "triaged in bulk" });

        results.Should().BeEquivalentTo(new Dictionary<long, (bool, int)>
        {
            [open] = (true, 200),
            [Unknown] = (false, 404),
            [closed] = (false, 409),
            [alsoOpen] = (true, 200),
        });
        foreach (var id in new[] { open, alsoOpen })
        {
            var alert = await admin.AlertAsync(id);
            alert.GetProperty("status").GetString().Should().Be("ACKNOWLEDGED");
            alert.HistoryOf().Should().ContainSingle().Which.GetProperty("note").GetString().Should().Be("triaged in bulk");
        }

        (await admin.AlertAsync(closed)).GetProperty("status").GetString().Should().Be("RESOLVED");
    }

    [Fact]
    public async Task Bulk_status_by_an_analyst_is_a_403_for_each_alert()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var first = await analyst.RaiseAlertAsync();
        var second = await analyst.RaiseAlertAsync();

        var results = await analyst.BulkOkAsync(new { ids = new[] { first, second }, action = "status", status = "ACKNOWLEDGED" });

        results.Values.Should().OnlyContain(r => !r.Ok && r.Status == 403);
        (await analyst.AlertAsync(first)).GetProperty("status").GetString().Should().Be("OPEN");
    }

    [Fact]
    public async Task Bulk_assign_by_an_analyst_takes_the_free_alerts_and_refuses_the_taken_ones()
    {
        var (analyst, me) = await factory.SignInAsync(UserRole.Analyst);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var other = await factory.SeedUserAsync(UserRole.Analyst);
        var free = await analyst.RaiseAlertAsync();
        var taken = await analyst.RaiseAlertAsync();
        (await admin.AssignAsync(taken, other.Id)).EnsureSuccessStatusCode();

        var results = await analyst.BulkOkAsync(new { ids = new[] { free, taken }, action = "assign", assignee = me.Id });

        results[free].Should().Be((true, 200));
        results[taken].Should().Be((false, 403));
        (await analyst.AlertAsync(free)).AssigneeId().Should().Be(me.Id);
        (await analyst.AlertAsync(taken)).AssigneeId().Should().Be(other.Id);
    }

    [Fact]
    public async Task Bulk_tag_adds_and_removes_tags_on_each_alert()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var first = await analyst.RaiseAlertAsync();
        var second = await analyst.RaiseAlertAsync();
        (await analyst.PutTagsAsync(first, "old", "keep")).EnsureSuccessStatusCode();

        var results = await analyst.BulkOkAsync(new { ids = new[] { first, second }, action = "tag", add_tags = AddCampaign, remove_tags = RemoveOld });

        results.Values.Should().OnlyContain(r => r.Ok);
        (await analyst.AlertAsync(first)).TagList().Should().Equal("keep", "campaign:x");
        (await analyst.AlertAsync(second)).TagList().Should().Equal("campaign:x");
    }

    [Fact]
    public async Task Bulk_with_more_than_500_ids_or_an_unknown_action_is_a_400()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var tooMany = await (await admin.BulkAsync(new { ids = Enumerable.Range(1, 501).ToArray(), action = "status", status = "OPEN" })).ShouldBeProblemAsync(400);
        var badAction = await (await admin.BulkAsync(new { ids = OneId, action = "explode" })).ShouldBeProblemAsync(400);

        tooMany.ErrorFields().Should().Contain("ids");
        badAction.ErrorFields().Should().Contain("action");
    }
}
