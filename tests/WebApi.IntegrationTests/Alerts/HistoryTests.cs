using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>One history for every change, oldest first, each attributed.</summary>
public sealed class HistoryTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_kind_of_change_lands_in_the_history_with_action_from_to_and_actor()
    {
        var (admin, adminUser) = await factory.SignInAsync(UserRole.Admin);
        var (analyst, analystUser) = await factory.SignInAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        (await admin.ChangeStatusAsync(alertId, "ACKNOWLEDGED", "on it")).EnsureSuccessStatusCode();
        (await analyst.AssignAsync(alertId, analystUser.Id)).EnsureSuccessStatusCode();
        (await analyst.PutTagsAsync(alertId, "vip", "phishing")).EnsureSuccessStatusCode();
        var commentId = await analyst.CommentOkAsync(alertId, "looks like a scanner");
        (await admin.DeleteAsync(TriageApi.Comment(alertId, commentId))).EnsureSuccessStatusCode();

        var history = (await analyst.AlertAsync(alertId)).HistoryOf();

        history.Select(h => h.GetProperty("action").GetString()).Should().Equal("STATUS", "ASSIGNEE", "TAGS", "COMMENT_ADDED", "COMMENT_DELETED");
        Entry(history[0]).Should().Be(("OPEN", "ACKNOWLEDGED", adminUser.Id, adminUser.Username));
        history[0].GetProperty("from_status").GetString().Should().Be("OPEN");
        history[0].GetProperty("to_status").GetString().Should().Be("ACKNOWLEDGED");
        history[0].GetProperty("note").GetString().Should().Be("on it");
        Entry(history[1]).Should().Be((null, analystUser.Username, analystUser.Id, analystUser.Username));
        Entry(history[2]).Should().Be((null, "vip,phishing", analystUser.Id, analystUser.Username));
        Entry(history[3]).Should().Be((null, commentId.ToString(System.Globalization.CultureInfo.InvariantCulture), analystUser.Id, analystUser.Username));
        Entry(history[4]).Should().Be((commentId.ToString(System.Globalization.CultureInfo.InvariantCulture), null, adminUser.Id, adminUser.Username));
        history.Skip(1).Should().OnlyContain(h => h.GetProperty("from_status").ValueKind == JsonValueKind.Null);
        history.Should().OnlyContain(h => h.GetProperty("changed_at").GetString()!.EndsWith('Z'));
    }

    [Fact]
    public async Task Changes_that_change_nothing_leave_no_history()
    {
        var (analyst, me) = await factory.SignInAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        (await analyst.AssignAsync(alertId, me.Id)).EnsureSuccessStatusCode();
        (await analyst.PutTagsAsync(alertId, "a", "b")).EnsureSuccessStatusCode();

        (await analyst.AssignAsync(alertId, me.Id)).EnsureSuccessStatusCode();
        (await analyst.PutTagsAsync(alertId, "b", "a")).EnsureSuccessStatusCode();

        (await analyst.AlertAsync(alertId)).HistoryOf().Should().HaveCount(2);
    }

    private static (string? From, string? To, long By, string? ByUsername) Entry(JsonElement entry) => (
        entry.GetProperty("from").GetString(),
        entry.GetProperty("to").GetString(),
        entry.GetProperty("changed_by").GetInt64(),
        entry.GetProperty("changed_by_username").GetString());
}
