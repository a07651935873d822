using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.UnitTests.Events;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.UnitTests.Alerts;

public sealed class AlertTriageTests
{
    private static readonly DateTimeOffset Now = EventBuilder.Now;
    private readonly User _analyst = UserWithId(1, UserRole.Analyst);
    private readonly User _other = UserWithId(2, UserRole.Analyst);
    private readonly User _admin = UserWithId(3, UserRole.Admin);

    [Fact]
    public void Analyst_may_take_an_unassigned_alert_and_the_history_names_them()
    {
        var alert = NewAlert();

        alert.Assign(_analyst, _analyst.Id, byAdmin: false, Now);

        alert.AssigneeId.Should().Be(_analyst.Id);
        alert.History.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new { Action = AlertHistoryAction.Assignee, From = (string?)null, To = _analyst.Username, ChangedById = _analyst.Id });
    }

    [Fact]
    public void Analyst_may_not_assign_someone_else()
    {
        var alert = NewAlert();

        var assign = () => alert.Assign(_other, _analyst.Id, byAdmin: false, Now);

        assign.Should().Throw<Forbidden>();
        alert.AssigneeId.Should().BeNull();
        alert.History.Should().BeEmpty();
    }

    [Fact]
    public void Analyst_may_not_take_or_release_an_alert_assigned_to_someone_else()
    {
        var alert = NewAlert();
        alert.Assign(_other, _admin.Id, byAdmin: true, Now);

        var take = () => alert.Assign(_analyst, _analyst.Id, byAdmin: false, Now);
        var release = () => alert.Assign(null, _analyst.Id, byAdmin: false, Now);

        take.Should().Throw<Forbidden>();
        release.Should().Throw<Forbidden>();
        alert.AssigneeId.Should().Be(_other.Id);
    }

    [Fact]
    public void Analyst_may_release_their_own_alert()
    {
        var alert = NewAlert();
        alert.Assign(_analyst, _analyst.Id, byAdmin: false, Now);

        alert.Assign(null, _analyst.Id, byAdmin: false, Now.AddMinutes(1));

        alert.AssigneeId.Should().BeNull();
        alert.History[^1].Should().BeEquivalentTo(new { From = _analyst.Username, To = (string?)null });
    }

    [Fact]
    public void Nobody_may_assign_an_inactive_user()
    {
        var alert = NewAlert();
        _other.ChangeAccess(null, false, otherActiveAdmins: 1);

        var assign = () => alert.Assign(_other, _admin.Id, byAdmin: true, Now);

        assign.Should().Throw<Invalid>().Which.Member.Should().Be(nameof(Alert.Assignee));
    }

    [Fact]
    public void Assigning_the_current_assignee_is_a_no_op_without_history()
    {
        var alert = NewAlert();
        alert.Assign(_analyst, _admin.Id, byAdmin: true, Now);

        alert.Assign(_analyst, _admin.Id, byAdmin: true, Now.AddMinutes(1));

        alert.History.Should().ContainSingle();
    }

    [Fact]
    public void Tags_are_replaced_without_repeats_and_the_history_says_from_what_to_what()
    {
        var alert = NewAlert();
        alert.ReplaceTags(["vip"], _analyst.Id, Now);

        alert.ReplaceTags(["phishing", "vip", "phishing"], _analyst.Id, Now.AddMinutes(1));

        alert.Tags.Should().Equal("phishing", "vip");
        alert.History[^1].Should().BeEquivalentTo(new { Action = AlertHistoryAction.Tags, From = "vip", To = "phishing,vip" });
    }

    [Theory]
    [InlineData("Upper")]
    [InlineData("spa ce")]
    [InlineData("")]
    [InlineData("é")]
    public void A_malformed_tag_is_refused_naming_tags(string tag)
    {
        var alert = NewAlert();

        var replace = () => alert.ReplaceTags(["ok", tag], _analyst.Id, Now);

        replace.Should().Throw<Invalid>().Which.Member.Should().Be(nameof(Alert.Tags));
        alert.Tags.Should().BeEmpty();
    }

    [Fact]
    public void More_than_20_distinct_tags_are_refused()
    {
        var alert = NewAlert();

        var replace = () => alert.ReplaceTags(Enumerable.Range(0, 21).Select(i => $"t{i}"), _analyst.Id, Now);

        replace.Should().Throw<Invalid>();
    }

    [Fact]
    public void Adding_and_removing_tags_is_one_change()
    {
        var alert = NewAlert();
        alert.ReplaceTags(["old", "keep"], _analyst.Id, Now);

        alert.ChangeTags(["new"], ["old"], _analyst.Id, Now.AddMinutes(1));

        alert.Tags.Should().Equal("keep", "new");
        alert.History.Should().HaveCount(2);
    }

    [Fact]
    public void A_comment_is_recorded_in_the_history_and_only_its_author_or_an_admin_deletes_it()
    {
        var alert = NewAlert();
        var comment = alert.AddComment(_analyst.Id, "<b>not html</b>", Now);

        var byOther = () => alert.DeleteComment(comment, _other.Id, byAdmin: false, Now);
        byOther.Should().Throw<Forbidden>();
        alert.DeleteComment(comment, _admin.Id, byAdmin: true, Now.AddMinutes(1));

        comment.Body.Should().Be("<b>not html</b>");
        comment.IsDeleted.Should().BeTrue();
        alert.History.Select(h => h.Action).Should().Equal(AlertHistoryAction.CommentAdded, AlertHistoryAction.CommentDeleted);
        alert.History[^1].ChangedById.Should().Be(_admin.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public void A_comment_outside_1_to_10000_characters_is_refused(int length)
    {
        var alert = NewAlert();

        var add = () => alert.AddComment(_analyst.Id, new string('x', length), Now);

        add.Should().Throw<Invalid>();
    }

    [Theory]
    [InlineData(Severity.Critical, 15, 240)]
    [InlineData(Severity.High, 60, 1440)]
    public void A_raised_alert_is_due_by_the_policys_targets_for_its_severity(Severity severity, int ackMinutes, int resolveMinutes)
    {
        var alert = Alert.RaiseFor(EventBuilder.Ingested(severity), Now, SlaPolicy.Default)!;

        alert.AckDueAt.Should().Be(Now.AddMinutes(ackMinutes));
        alert.ResolveDueAt.Should().Be(Now.AddMinutes(resolveMinutes));
    }

    [Fact]
    public void A_severity_without_a_target_has_no_due_times_and_is_never_breached()
    {
        var policy = new SlaPolicy(new Dictionary<Severity, SlaTarget> { [Severity.Critical] = new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)) });

        var alert = Alert.RaiseFor(EventBuilder.Ingested(Severity.High), Now, policy)!;

        alert.AckDueAt.Should().BeNull();
        alert.ResolveDueAt.Should().BeNull();
        alert.IsSlaBreached(Now.AddYears(1)).Should().BeFalse();
    }

    [Fact]
    public void An_alert_not_acknowledged_by_its_due_time_is_breached_from_then_on()
    {
        var alert = Alert.RaiseFor(EventBuilder.Ingested(Severity.Critical), Now, SlaPolicy.Default)!;

        alert.IsSlaBreached(Now.AddMinutes(15)).Should().BeFalse();
        alert.IsSlaBreached(Now.AddMinutes(16)).Should().BeTrue();
        alert.ChangeStatus(AlertStatus.Acknowledged, _admin.Id, null, Now.AddMinutes(20));
        alert.IsSlaBreached(Now.AddMinutes(21)).Should().BeTrue("it was acknowledged late");
    }

    [Fact]
    public void Acknowledging_and_closing_in_time_keeps_the_alert_unbreached_and_the_times_are_kept()
    {
        var alert = Alert.RaiseFor(EventBuilder.Ingested(Severity.Critical), Now, SlaPolicy.Default)!;

        alert.ChangeStatus(AlertStatus.Acknowledged, _admin.Id, null, Now.AddMinutes(5));
        alert.ChangeStatus(AlertStatus.Resolved, _admin.Id, null, Now.AddMinutes(30));

        alert.FirstAcknowledgedAt.Should().Be(Now.AddMinutes(5));
        alert.ClosedAt.Should().Be(Now.AddMinutes(30));
        alert.IsSlaBreached(Now.AddDays(3)).Should().BeFalse();
    }

    [Fact]
    public void Reopening_keeps_the_first_acknowledgement_and_clears_the_close()
    {
        var alert = Alert.RaiseFor(EventBuilder.Ingested(Severity.High), Now, SlaPolicy.Default)!;
        alert.ChangeStatus(AlertStatus.FalsePositive, _admin.Id, null, Now.AddMinutes(5));

        alert.ChangeStatus(AlertStatus.Open, _admin.Id, null, Now.AddMinutes(10));
        alert.ChangeStatus(AlertStatus.Acknowledged, _admin.Id, null, Now.AddMinutes(20));

        alert.FirstAcknowledgedAt.Should().Be(Now.AddMinutes(5));
        alert.ClosedAt.Should().BeNull();
    }

    [Fact]
    public void The_sql_form_of_the_breach_rule_agrees_with_the_in_memory_one()
    {
        var now = Now.AddMinutes(30);
        var alerts = new[]
        {
            Alert.RaiseFor(EventBuilder.Ingested(Severity.Critical), Now, SlaPolicy.Default)!,
            Alert.RaiseFor(EventBuilder.Ingested(Severity.High), Now, SlaPolicy.Default)!,
            Alert.RaiseFor(EventBuilder.Ingested(Severity.High), Now, SlaPolicy.None)!,
        };
        alerts[1].ChangeStatus(AlertStatus.Resolved, _admin.Id, null, Now.AddMinutes(10));

        var breached = SlaBreach.At(now).Compile();
        var notBreached = SlaBreach.NotAt(now).Compile();

        alerts.Select(a => breached(a)).Should().Equal(alerts.Select(a => a.IsSlaBreached(now)));
        alerts.Select(a => notBreached(a)).Should().Equal(alerts.Select(a => !a.IsSlaBreached(now)));
    }

    private static Alert NewAlert() => Alert.RaiseFor(EventBuilder.Ingested(Severity.High), Now)!;

    private static User UserWithId(long id, UserRole role)
    {
        var user = User.Create($"user{id}", $"user{id}@example.org", "hash", role, Now);
        typeof(User).GetProperty(nameof(User.Id))!.SetValue(user, id);
        return user;
    }
}
