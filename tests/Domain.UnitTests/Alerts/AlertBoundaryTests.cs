using System.Net;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.UnitTests.Events;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.UnitTests.Alerts;

/// <summary>
/// The edges of the alert's rules that mutation testing found unasserted: a step done exactly at its due time, the
/// largest tag set and comment, escalation of an alert without due times, and what may not be deleted twice.
/// </summary>
public sealed class AlertBoundaryTests
{
    private const long Admin = 3;
    private const long Analyst = 1;
    private static readonly DateTimeOffset Now = EventBuilder.Now;

    private static Alert Critical(SlaPolicy? sla = null) => Alert.RaiseFor(EventBuilder.Ingested(Severity.Critical), Now, sla ?? SlaPolicy.Default)!;

    [Fact]
    public void Acknowledging_exactly_at_the_due_time_is_in_time_and_a_tick_later_is_late()
    {
        var onTime = Critical();
        var late = Critical();

        onTime.ChangeStatus(AlertStatus.Acknowledged, Admin, null, Now.AddMinutes(15));
        late.ChangeStatus(AlertStatus.Acknowledged, Admin, null, Now.AddMinutes(15).AddTicks(1));

        onTime.AcknowledgedLate.Should().BeFalse();
        late.AcknowledgedLate.Should().BeTrue();
    }

    [Fact]
    public void Closing_exactly_at_the_due_time_is_in_time_and_a_tick_later_is_late()
    {
        var onTime = Critical();
        var late = Critical();

        onTime.ChangeStatus(AlertStatus.Resolved, Admin, null, Now.AddHours(4));
        late.ChangeStatus(AlertStatus.FalsePositive, Admin, null, Now.AddHours(4).AddTicks(1));

        onTime.ClosedLate.Should().BeFalse();
        late.ClosedLate.Should().BeTrue();
        late.AcknowledgedLate.Should().BeTrue("closing is the first move out of OPEN, and it came after the acknowledge due time");
    }

    [Fact]
    public void Moves_that_close_nothing_are_never_closed_late_even_past_the_due_time()
    {
        var alert = Critical();

        alert.ChangeStatus(AlertStatus.Acknowledged, Admin, null, Now.AddDays(1));
        alert.ChangeStatus(AlertStatus.InProgress, Admin, null, Now.AddDays(2));

        alert.ClosedLate.Should().BeFalse();
        alert.ClosedAt.Should().BeNull();
    }

    [Fact]
    public void Reopening_a_late_closed_alert_clears_the_close_and_its_lateness()
    {
        var alert = Critical();
        alert.ChangeStatus(AlertStatus.Resolved, Admin, null, Now.AddDays(1));

        alert.ChangeStatus(AlertStatus.Open, Admin, null, Now.AddDays(2));

        alert.ClosedAt.Should().BeNull();
        alert.ClosedLate.Should().BeFalse();
        alert.AcknowledgedLate.Should().BeTrue("the first acknowledgement stays what it was");
    }

    [Fact]
    public void Only_the_first_move_out_of_open_is_the_acknowledgement()
    {
        var alert = Critical();
        alert.ChangeStatus(AlertStatus.Acknowledged, Admin, null, Now.AddMinutes(1));

        alert.ChangeStatus(AlertStatus.InProgress, Admin, null, Now.AddDays(1));

        alert.FirstAcknowledgedAt.Should().Be(Now.AddMinutes(1));
        alert.AcknowledgedLate.Should().BeFalse();
    }

    [Fact]
    public void Escalating_an_alert_that_had_no_due_times_gives_it_the_new_severitys()
    {
        var highWithoutTarget = new SlaPolicy(new Dictionary<Severity, SlaTarget>
        {
            [Severity.Critical] = new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(4)),
        });
        var alert = Alert.RaiseFor(Grouping(Severity.High), Now, highWithoutTarget)!;
        alert.AckDueAt.Should().BeNull();

        alert.Fold(Grouping(Severity.Critical), Now.AddMinutes(30), highWithoutTarget);

        alert.AckDueAt.Should().Be(Now.AddMinutes(45));
        alert.ResolveDueAt.Should().Be(Now.AddMinutes(30).AddHours(4));
    }

    [Fact]
    public void Escalating_to_a_severity_without_targets_keeps_the_due_times_the_alert_had()
    {
        var onlyHigh = new SlaPolicy(new Dictionary<Severity, SlaTarget>
        {
            [Severity.High] = new(TimeSpan.FromHours(1), TimeSpan.FromHours(24)),
        });
        var alert = Alert.RaiseFor(Grouping(Severity.High), Now, onlyHigh)!;

        alert.Fold(Grouping(Severity.Critical), Now.AddMinutes(30), onlyHigh);

        alert.Severity.Should().Be(Severity.Critical);
        alert.AckDueAt.Should().Be(Now.AddHours(1));
        alert.ResolveDueAt.Should().Be(Now.AddHours(24));
        alert.History.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Action = AlertHistoryAction.Escalated,
            FromSeverity = (Severity?)Severity.High,
            ToSeverity = (Severity?)Severity.Critical,
            ChangedById = (long?)null,
            ChangedAt = Now.AddMinutes(30),
        });
    }

    [Fact]
    public void A_less_severe_event_folds_without_lowering_the_severity()
    {
        var alert = Alert.RaiseFor(Grouping(Severity.Critical), Now, SlaPolicy.Default)!;

        alert.Fold(Grouping(Severity.High), Now.AddMinutes(1), SlaPolicy.Default);

        alert.Severity.Should().Be(Severity.Critical);
        alert.AckDueAt.Should().Be(Now.AddMinutes(15));
        alert.History.Should().BeEmpty();
    }

    [Fact]
    public void An_event_without_a_sensor_never_groups()
    {
        var securityEvent = SecurityEvent.Ingest("fw-1", "scan", Severity.High, null, null, null, null, null, null, 7, null, Now, groups: true);

        securityEvent.Groups.Should().BeFalse();
        securityEvent.Fingerprint.Should().BeNull();
    }

    [Fact]
    public void An_event_belongs_to_an_alert_once_it_raised_one_or_folded_into_one()
    {
        var raiser = Grouping(Severity.High);
        var folded = Grouping(Severity.High);
        raiser.HasAlert.Should().BeFalse();

        var alert = Alert.RaiseFor(raiser, Now, SlaPolicy.Default)!;
        alert.Fold(folded, Now, SlaPolicy.Default);

        raiser.HasAlert.Should().BeTrue();
        folded.HasAlert.Should().BeTrue();
        folded.Alert.Should().BeNull("it folded; it raised nothing");
    }

    [Fact]
    public void Twenty_tags_of_fifty_characters_are_the_most_an_alert_takes()
    {
        var alert = Critical();
        var twenty = Enumerable.Range(0, 20).Select(i => $"t{i:D2}".PadRight(Alert.TagMaxLength, 'x')).ToList();

        alert.ReplaceTags(twenty, Analyst, Now);

        alert.Tags.Should().Equal(twenty);
        var longer = () => alert.ReplaceTags([new string('x', Alert.TagMaxLength + 1)], Analyst, Now);
        longer.Should().Throw<Invalid>().Which.Member.Should().Be(nameof(Alert.Tags));
        alert.Tags.Should().Equal(twenty);
    }

    [Fact]
    public void The_first_tags_are_recorded_from_nothing_and_the_same_set_in_another_order_is_no_change()
    {
        var alert = Critical();

        alert.ReplaceTags(["b", "a"], Analyst, Now);
        alert.ReplaceTags(["a", "b"], Analyst, Now.AddMinutes(1));

        alert.History.Should().ContainSingle().Which.Should().BeEquivalentTo(new { From = (string?)null, To = "b,a" });
        alert.UpdatedAt.Should().Be(Now);
        alert.Tags.Should().Equal("b", "a");
    }

    [Fact]
    public void Removing_every_tag_records_none_as_the_new_value()
    {
        var alert = Critical();
        alert.ReplaceTags(["a"], Analyst, Now);

        alert.ChangeTags([], ["a"], Analyst, Now.AddMinutes(1));

        alert.Tags.Should().BeEmpty();
        alert.History[^1].Should().BeEquivalentTo(new { From = "a", To = (string?)null });
    }

    [Fact]
    public void A_tag_both_added_and_removed_is_removed()
    {
        var alert = Critical();

        alert.ChangeTags(["a", "b"], ["b"], Analyst, Now);

        alert.Tags.Should().Equal("a");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(AlertComment.BodyMaxLength)]
    public void A_comment_of_1_to_10000_characters_is_taken(int length)
    {
        var alert = Critical();

        var comment = alert.AddComment(Analyst, new string('x', length), Now.AddMinutes(2));

        comment.Body.Should().HaveLength(length);
        (comment.AuthorId, comment.CreatedAt, comment.IsDeleted).Should().Be((Analyst, Now.AddMinutes(2), false));
        alert.UpdatedAt.Should().Be(Now.AddMinutes(2));
        alert.History.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Action = AlertHistoryAction.CommentAdded,
            ChangedById = (long?)Analyst,
            CommentId = (long?)null,
            Comment = comment,
        });
    }

    [Fact]
    public void A_deleted_comment_cannot_be_deleted_again()
    {
        var alert = Critical();
        var comment = alert.AddComment(Analyst, "note", Now);
        alert.DeleteComment(comment, Analyst, byAdmin: false, Now.AddMinutes(1));

        var again = () => alert.DeleteComment(comment, Admin, byAdmin: true, Now.AddMinutes(2));

        again.Should().Throw<NotFound>();
        comment.DeletedAt.Should().Be(Now.AddMinutes(1));
        alert.History.Should().HaveCount(2);
        alert.UpdatedAt.Should().Be(Now.AddMinutes(1));
    }

    [Fact]
    public void A_comment_of_another_alert_is_not_found_on_this_one()
    {
        var alert = Critical();
        var other = Critical();
        typeof(Alert).GetProperty(nameof(Alert.Id))!.SetValue(other, 99L);
        var comment = other.AddComment(Analyst, "note", Now);

        var delete = () => alert.DeleteComment(comment, Admin, byAdmin: true, Now);

        delete.Should().Throw<NotFound>();
        comment.IsDeleted.Should().BeFalse();
    }

    [Fact]
    public void An_author_deletes_their_own_comment_without_being_admin()
    {
        var alert = Critical();
        var comment = alert.AddComment(Analyst, "note", Now);

        alert.DeleteComment(comment, Analyst, byAdmin: false, Now.AddMinutes(5));

        comment.IsDeleted.Should().BeTrue();
        alert.History[^1].Should().BeEquivalentTo(new { Action = AlertHistoryAction.CommentDeleted, ChangedById = (long?)Analyst, ChangedAt = Now.AddMinutes(5) });
    }

    [Fact]
    public void An_admin_may_give_an_alert_to_anyone_and_take_it_from_them()
    {
        var alert = Critical();
        var first = Person(1, "first");
        var second = Person(2, "second");

        alert.Assign(first, Admin, byAdmin: true, Now);
        alert.Assign(second, Admin, byAdmin: true, Now.AddMinutes(1));
        alert.Assign(null, Admin, byAdmin: true, Now.AddMinutes(2));

        alert.AssigneeId.Should().BeNull();
        alert.History.Select(h => (h.From, h.To)).Should().Equal((null, "first"), ("first", "second"), ("second", null));
        alert.UpdatedAt.Should().Be(Now.AddMinutes(2));
    }

    [Fact]
    public void An_analyst_taking_their_own_alert_again_changes_nothing()
    {
        var alert = Critical();
        var analyst = Person(Analyst, "analyst");
        alert.Assign(analyst, Analyst, byAdmin: false, Now);

        alert.Assign(analyst, Analyst, byAdmin: false, Now.AddMinutes(1));

        alert.History.Should().ContainSingle();
        alert.UpdatedAt.Should().Be(Now);
    }

    [Fact]
    public void Releasing_an_unassigned_alert_changes_nothing()
    {
        var alert = Critical();

        alert.Assign(null, Analyst, byAdmin: false, Now.AddMinutes(1));

        alert.History.Should().BeEmpty();
        alert.UpdatedAt.Should().Be(Now);
    }

    [Fact]
    public void An_earlier_event_folded_last_does_not_pull_last_seen_back()
    {
        var alert = Alert.RaiseFor(Grouping(Severity.High, Now), Now, SlaPolicy.Default)!;

        alert.Fold(Grouping(Severity.High, Now.AddMinutes(20)), Now.AddMinutes(21), SlaPolicy.Default);
        alert.Fold(Grouping(Severity.High, Now.AddMinutes(5)), Now.AddMinutes(22), SlaPolicy.Default);

        (alert.FirstSeenAt, alert.LastSeenAt).Should().Be((Now, Now.AddMinutes(20)));
    }

    [Fact]
    public void A_deleted_stored_comment_is_named_by_its_id_in_the_history()
    {
        var alert = Critical();
        var comment = alert.AddComment(Analyst, "note", Now);
        typeof(AlertComment).GetProperty(nameof(AlertComment.Id))!.SetValue(comment, 41L);

        alert.DeleteComment(comment, Analyst, byAdmin: false, Now.AddMinutes(1));

        alert.History[^1].CommentId.Should().Be(41);
    }

    [Fact]
    public void An_assignee_not_loaded_is_recorded_by_id_when_the_alert_changes_hands()
    {
        var alert = Critical();
        typeof(Alert).GetProperty(nameof(Alert.AssigneeId))!.SetValue(alert, 5L);

        alert.Assign(Person(6, "next"), Admin, byAdmin: true, Now);

        alert.History[^1].Should().BeEquivalentTo(new { From = "5", To = "next" });
    }

    /// <summary>Alerts at every stage around their due times, for comparing the breach rule's two forms.</summary>
    public static TheoryData<int, int?, int?> BreachCases()
    {
        var data = new TheoryData<int, int?, int?>();
        int?[] steps = [null, 14, 15, 16, 239, 240, 241];
        foreach (var minutes in new[] { 0, 14, 15, 16, 240, 241, 600 })
        {
            foreach (var ack in steps)
            {
                foreach (var close in steps)
                {
                    if (ack is null || close is null || close >= ack)
                    {
                        data.Add(minutes, ack, close);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BreachCases))]
    public void The_sql_form_of_the_breach_rule_agrees_with_the_in_memory_one_around_every_due_time(int nowMinutes, int? ackMinutes, int? closeMinutes)
    {
        var alert = Critical();
        if (ackMinutes is { } ack)
        {
            alert.ChangeStatus(AlertStatus.Acknowledged, Admin, null, Now.AddMinutes(ack));
        }

        if (closeMinutes is { } close)
        {
            alert.ChangeStatus(AlertStatus.Resolved, Admin, null, Now.AddMinutes(close));
        }

        var now = Now.AddMinutes(nowMinutes);
        var expected = ExpectedBreach(ackMinutes ?? closeMinutes, closeMinutes, nowMinutes);

        alert.IsSlaBreached(now).Should().Be(expected);
        SlaBreach.At(now).Compile()(alert).Should().Be(expected);
        SlaBreach.NotAt(now).Compile()(alert).Should().Be(!expected);
    }

    // Written out from API.md's rule for a CRITICAL alert (acknowledge within 15 minutes, close within 4 hours): a step is
    // breached when it happened after its due time, or has not happened and its due time is past.
    private static bool ExpectedBreach(int? acknowledgedAt, int? closedAt, int now) =>
        (acknowledgedAt ?? now) > 15 || (closedAt ?? now) > 240;

    private static SecurityEvent Grouping(Severity severity, DateTimeOffset? occurredAt = null) =>
        SecurityEvent.Ingest("fw-1", "port_scan", severity, "probe", occurredAt ?? Now, IPAddress.Parse("10.0.0.1"), null, null, null, null, 4, Now, groups: true);

    private static User Person(long id, string username)
    {
        var user = User.Create(username, $"{username}@example.org", "hash", UserRole.Analyst, Now);
        typeof(User).GetProperty(nameof(User.Id))!.SetValue(user, id);
        return user;
    }
}
