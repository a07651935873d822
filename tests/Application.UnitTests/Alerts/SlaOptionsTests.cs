using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Alerts;

/// <summary>The Sla settings: API.md's defaults, a target per configured severity, and the bounds a target must keep.</summary>
public sealed class SlaOptionsTests
{
    private static readonly DateTimeOffset Raised = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_defaults_are_critical_15_minutes_and_4_hours_high_1_hour_and_24_hours_and_nothing_below()
    {
        var policy = new SlaOptions().ToPolicy();

        policy.DueTimes(Severity.Critical, Raised).Should().Be(new Domain.Alerts.SlaDueTimes(Raised.AddMinutes(15), Raised.AddHours(4)));
        policy.DueTimes(Severity.High, Raised).Should().Be(new Domain.Alerts.SlaDueTimes(Raised.AddHours(1), Raised.AddHours(24)));
        policy.DueTimes(Severity.Medium, Raised).Should().Be(new Domain.Alerts.SlaDueTimes(null, null));
        policy.DueTimes(Severity.Low, Raised).Should().Be(new Domain.Alerts.SlaDueTimes(null, null));
    }

    [Fact]
    public void Each_configured_severity_gets_its_own_target_and_an_unset_one_has_none()
    {
        var options = new SlaOptions
        {
            Critical = null,
            High = new() { AckMinutes = 2, ResolveMinutes = 3 },
            Medium = new() { AckMinutes = 4, ResolveMinutes = 5 },
            Low = new() { AckMinutes = 6, ResolveMinutes = 7 },
        };

        var policy = options.ToPolicy();

        policy.Targets.Keys.Should().BeEquivalentTo([Severity.High, Severity.Medium, Severity.Low]);
        policy.DueTimes(Severity.High, Raised).Should().Be(new Domain.Alerts.SlaDueTimes(Raised.AddMinutes(2), Raised.AddMinutes(3)));
        policy.DueTimes(Severity.Medium, Raised).Should().Be(new Domain.Alerts.SlaDueTimes(Raised.AddMinutes(4), Raised.AddMinutes(5)));
        policy.DueTimes(Severity.Low, Raised).Should().Be(new Domain.Alerts.SlaDueTimes(Raised.AddMinutes(6), Raised.AddMinutes(7)));
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(525_600, 525_600, true)]
    [InlineData(0, 10, false)]
    [InlineData(10, 0, false)]
    [InlineData(525_601, 600_000, false)]
    [InlineData(10, 525_601, false)]
    [InlineData(-1, 10, false)]
    public void Every_target_is_1_minute_to_a_year(int ack, int resolve, bool valid)
    {
        foreach (var severity in Enum.GetValues<Severity>())
        {
            var options = new SlaOptions();
            var target = new SlaTargetOptions { AckMinutes = ack, ResolveMinutes = resolve };
            switch (severity)
            {
                case Severity.Critical: options.Critical = target; break;
                case Severity.High: options.High = target; break;
                case Severity.Medium: options.Medium = target; break;
                default: options.Low = target; break;
            }

            options.IsValid.Should().Be(valid, $"the {severity} target is checked");
        }
    }

    [Fact]
    public void No_targets_at_all_is_valid()
    {
        new SlaOptions { Critical = null, High = null }.IsValid.Should().BeTrue();
    }
}
