using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.UnitTests.Users;

public sealed class LoginThrottlePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly LoginThrottlePolicy Policy = new(
        FreeFailures: 3, BaseDelay: TimeSpan.FromSeconds(1), MaxDelay: TimeSpan.FromSeconds(60), CeilingClients: 3, Window: TimeSpan.FromHours(1));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(6, 4)]
    [InlineData(9, 32)]
    [InlineData(10, 60)]
    [InlineData(1000, 60)]
    public void Each_failure_past_the_free_ones_doubles_the_wait_up_to_the_ceiling(int failures, int seconds) =>
        Policy.DelayAfter(failures).Should().Be(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void A_client_waits_out_its_own_failures_only()
    {
        var failures = Failures(("10.0.0.1", 5));

        Policy.WaitFor("10.0.0.1", failures, Now).Should().Be(TimeSpan.FromSeconds(2));
        Policy.WaitFor("10.0.0.1", failures, Now + TimeSpan.FromSeconds(2)).Should().Be(TimeSpan.Zero);
        Policy.WaitFor("10.0.0.2", failures, Now).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void However_often_one_client_fails_others_never_wait_for_it()
    {
        var failures = Failures(("10.0.0.1", 500));

        Policy.WaitFor("10.0.0.2", failures, Now).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Failures_from_the_ceiling_number_of_clients_make_everyone_wait_longer_with_each_further_client()
    {
        var two = Failures(("10.0.0.1", 1), ("10.0.0.2", 1));
        var three = Failures(("10.0.0.1", 1), ("10.0.0.2", 1), ("10.0.0.3", 1));
        var four = Failures(("10.0.0.1", 1), ("10.0.0.2", 1), ("10.0.0.3", 1), ("10.0.0.4", 1));

        Policy.WaitFor("10.9.9.9", two, Now).Should().Be(TimeSpan.Zero);
        Policy.WaitFor("10.9.9.9", three, Now).Should().Be(TimeSpan.FromSeconds(1));
        Policy.WaitFor("10.9.9.9", four, Now).Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Failures_older_than_the_window_are_forgotten()
    {
        var failures = Failures(("10.0.0.1", 8), ("10.0.0.2", 1), ("10.0.0.3", 1));
        var later = Now + TimeSpan.FromHours(1);

        Policy.WaitFor("10.0.0.1", failures, later).Should().Be(TimeSpan.Zero);
        failures[0].Record(later, Policy);
        failures[0].Failures.Should().Be(1, "the count starts over after a quiet window");
    }

    private static List<LoginFailure> Failures(params (string Client, int Count)[] clients)
    {
        var failures = new List<LoginFailure>();
        foreach (var (client, count) in clients)
        {
            var failure = LoginFailure.Start("alice", client);
            for (var i = 0; i < count; i++)
            {
                failure.Record(Now, Policy);
            }

            failures.Add(failure);
        }

        return failures;
    }
}
