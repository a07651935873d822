using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Application.Stats.GetAlertStats;

namespace ThreatPlatform.Application.UnitTests.Stats;

/// <summary>The stats window: defaults, the bucket it implies, and the bounds a window must keep.</summary>
public sealed class AlertStatsQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private readonly GetAlertStatsQueryValidator _validator = new(new FakeTimeProvider(Now));

    [Fact]
    public void No_bounds_mean_the_last_7_days_by_day()
    {
        new GetAlertStatsQuery(null, null, null).Resolve(Now).Should().Be((Now.AddDays(-7), Now, StatsBucket.Day));
    }

    [Fact]
    public void From_alone_runs_to_now_and_to_alone_looks_7_days_back()
    {
        new GetAlertStatsQuery(Now.AddDays(-1), null, null).Resolve(Now).Should().Be((Now.AddDays(-1), Now, StatsBucket.Hour));
        new GetAlertStatsQuery(null, Now.AddDays(-10), null).Resolve(Now).Should().Be((Now.AddDays(-17), Now.AddDays(-10), StatsBucket.Day));
    }

    [Theory]
    [InlineData(48, StatsBucket.Hour)]
    [InlineData(49, StatsBucket.Day)]
    public void A_window_of_up_to_2_days_is_counted_by_hour(int hours, StatsBucket bucket) =>
        new GetAlertStatsQuery(Now.AddHours(-hours), Now, null).Resolve(Now).Bucket.Should().Be(bucket);

    [Fact]
    public void An_asked_bucket_wins() =>
        new GetAlertStatsQuery(Now.AddHours(-1), Now, StatsBucket.Day).Resolve(Now).Bucket.Should().Be(StatsBucket.Day);

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    public void From_must_come_before_to(int fromMinutesAfterTo, bool valid) =>
        _validator.Validate(new GetAlertStatsQuery(Now.AddMinutes(fromMinutesAfterTo), Now, null)).IsValid.Should().Be(valid);

    [Theory]
    [InlineData(366, true)]
    [InlineData(367, false)]
    public void A_window_spans_at_most_366_days(int days, bool valid)
    {
        var result = _validator.Validate(new GetAlertStatsQuery(Now.AddDays(-days), Now, null));

        result.IsValid.Should().Be(valid);
        if (!valid)
        {
            result.Errors.Should().ContainSingle().Which.PropertyName.Should().Be("From");
        }
    }
}
