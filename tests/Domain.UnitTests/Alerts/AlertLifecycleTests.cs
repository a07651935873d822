using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.UnitTests.Events;

namespace ThreatPlatform.Domain.UnitTests.Alerts;

public sealed class AlertLifecycleTests
{
    private const long Admin = 7;

    /// <summary>Every allowed move in API.md.</summary>
    public static TheoryData<AlertStatus, AlertStatus> Allowed => new()
    {
        { AlertStatus.Open, AlertStatus.Acknowledged },
        { AlertStatus.Open, AlertStatus.Resolved },
        { AlertStatus.Open, AlertStatus.FalsePositive },
        { AlertStatus.Acknowledged, AlertStatus.InProgress },
        { AlertStatus.Acknowledged, AlertStatus.Resolved },
        { AlertStatus.Acknowledged, AlertStatus.FalsePositive },
        { AlertStatus.InProgress, AlertStatus.Resolved },
        { AlertStatus.InProgress, AlertStatus.FalsePositive },
        { AlertStatus.Resolved, AlertStatus.Open },
        { AlertStatus.FalsePositive, AlertStatus.Open },
    };

    /// <summary>The allowed next states of each state, written out by hand from API.md (not read from the domain).</summary>
    private static readonly Dictionary<AlertStatus, AlertStatus[]> NextStatesPerApiMd = new()
    {
        [AlertStatus.Open] = [AlertStatus.Acknowledged, AlertStatus.Resolved, AlertStatus.FalsePositive],
        [AlertStatus.Acknowledged] = [AlertStatus.InProgress, AlertStatus.Resolved, AlertStatus.FalsePositive],
        [AlertStatus.InProgress] = [AlertStatus.Resolved, AlertStatus.FalsePositive],
        [AlertStatus.Resolved] = [AlertStatus.Open],
        [AlertStatus.FalsePositive] = [AlertStatus.Open],
    };

    /// <summary>Every other move between two different states.</summary>
    public static TheoryData<AlertStatus, AlertStatus> Refused
    {
        get
        {
            var allowed = Allowed.Select(row => ((AlertStatus)row[0], (AlertStatus)row[1])).ToHashSet();
            var data = new TheoryData<AlertStatus, AlertStatus>();
            foreach (var from in Enum.GetValues<AlertStatus>())
            {
                foreach (var to in Enum.GetValues<AlertStatus>().Where(to => to != from && !allowed.Contains((from, to))))
                {
                    data.Add(from, to);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Allowed_move_changes_status_and_appends_one_history_entry(AlertStatus from, AlertStatus to)
    {
        var alert = AlertIn(from);
        var historyBefore = alert.History.Count;
        var at = EventBuilder.Now.AddHours(5);

        alert.ChangeStatus(to, Admin, "why", at);

        alert.Status.Should().Be(to);
        alert.UpdatedAt.Should().Be(at);
        alert.History.Should().HaveCount(historyBefore + 1);
        var entry = alert.History[^1];
        (entry.FromStatus, entry.ToStatus, entry.ChangedById, entry.Note, entry.ChangedAt).Should().Be((from, to, Admin, "why", at));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refused_move_throws_IllegalTransition_naming_the_allowed_states_and_changes_nothing(AlertStatus from, AlertStatus to)
    {
        var alert = AlertIn(from);
        var historyBefore = alert.History.Count;
        var updatedBefore = alert.UpdatedAt;

        var move = () => alert.ChangeStatus(to, Admin, null, EventBuilder.Now.AddHours(5));

        var refused = move.Should().Throw<IllegalTransition>().Which;
        refused.From.Should().Be(from);
        refused.To.Should().Be(to);
        refused.Allowed.Should().BeEquivalentTo(NextStatesPerApiMd[from]);
        refused.Should().BeAssignableTo<Conflict>().Which.Member.Should().Be(nameof(Alert.Status));
        alert.Status.Should().Be(from);
        alert.History.Should().HaveCount(historyBefore);
        alert.UpdatedAt.Should().Be(updatedBefore);
    }

    [Theory]
    [InlineData(AlertStatus.Open)]
    [InlineData(AlertStatus.Acknowledged)]
    [InlineData(AlertStatus.InProgress)]
    [InlineData(AlertStatus.Resolved)]
    [InlineData(AlertStatus.FalsePositive)]
    public void Setting_the_current_status_is_a_no_op_without_history(AlertStatus status)
    {
        var alert = AlertIn(status);
        var historyBefore = alert.History.Count;
        var updatedBefore = alert.UpdatedAt;

        alert.ChangeStatus(status, Admin, "again", EventBuilder.Now.AddDays(1));

        alert.Status.Should().Be(status);
        alert.History.Should().HaveCount(historyBefore);
        alert.UpdatedAt.Should().Be(updatedBefore);
    }

    [Fact]
    public void Illegal_transition_carries_the_allowed_next_states()
    {
        var alert = AlertIn(AlertStatus.Open);

        var move = () => alert.ChangeStatus(AlertStatus.InProgress, Admin, null, EventBuilder.Now);

        move.Should().Throw<IllegalTransition>().Which.Allowed
            .Should().Equal(AlertStatus.Acknowledged, AlertStatus.Resolved, AlertStatus.FalsePositive);
    }

    /// <summary>An alert brought to the given state along allowed moves.</summary>
    private static Alert AlertIn(AlertStatus status)
    {
        var alert = Alert.RaiseFor(EventBuilder.Ingested(Severity.High), EventBuilder.Now)!;
        AlertStatus[] path = status switch
        {
            AlertStatus.Open => [],
            AlertStatus.Acknowledged => [AlertStatus.Acknowledged],
            AlertStatus.InProgress => [AlertStatus.Acknowledged, AlertStatus.InProgress],
            AlertStatus.Resolved => [AlertStatus.Resolved],
            AlertStatus.FalsePositive => [AlertStatus.FalsePositive],
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        foreach (var step in path)
        {
            alert.ChangeStatus(step, Admin, null, EventBuilder.Now.AddMinutes(1));
        }

        return alert;
    }
}
