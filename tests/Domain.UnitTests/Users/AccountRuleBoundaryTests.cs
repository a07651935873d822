using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.UnitTests.Users;

/// <summary>Approval, token usability and throttling at the edges mutation testing found unasserted.</summary>
public sealed class AccountRuleBoundaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly LoginThrottlePolicy Policy = new(
        FreeFailures: 0, BaseDelay: TimeSpan.FromSeconds(1), MaxDelay: TimeSpan.FromSeconds(60), CeilingClients: 2, Window: TimeSpan.FromHours(1));

    [Fact]
    public void Activating_an_account_that_awaits_approval_approves_it()
    {
        var user = User.Create("bob", "bob@example.org", "hash", UserRole.Analyst, Now, needsApproval: true);
        user.AwaitingApproval.Should().BeTrue();
        user.IsActive.Should().BeFalse();

        user.ChangeAccess(UserRole.Analyst, null, otherActiveAdmins: 1);
        user.AwaitingApproval.Should().BeTrue("a role change is not an approval");

        user.ChangeAccess(null, true, otherActiveAdmins: 1);
        user.AwaitingApproval.Should().BeFalse();
        user.IsActive.Should().BeTrue();
    }

    [Fact]
    public void Deactivating_an_approved_account_does_not_put_it_back_in_the_approval_queue()
    {
        var user = User.Create("carol", "carol@example.org", "hash", UserRole.Analyst, Now);

        user.ChangeAccess(null, false, otherActiveAdmins: 1);

        user.IsActive.Should().BeFalse();
        user.AwaitingApproval.Should().BeFalse();
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void A_rotated_or_revoked_token_is_not_usable(bool rotated, bool revoked)
    {
        var token = RefreshToken.Issue(1, Guid.NewGuid(), new string('a', 64), Now, TimeSpan.FromDays(7));
        if (rotated)
        {
            typeof(RefreshToken).GetProperty(nameof(RefreshToken.RotatedAt))!.SetValue(token, Now);
        }

        if (revoked)
        {
            typeof(RefreshToken).GetProperty(nameof(RefreshToken.RevokedAt))!.SetValue(token, Now);
        }

        token.IsUsable(Now.AddMinutes(1)).Should().BeFalse();
    }

    [Fact]
    public void The_username_wide_wait_runs_from_the_latest_failure()
    {
        var early = Failure("10.0.0.1", Now);
        var late = Failure("10.0.0.2", Now.AddSeconds(30));

        // Two clients: the ceiling; one step of growth (1 s) from the latest failure, not the earliest.
        Policy.WaitFor("10.9.9.9", [early, late], Now.AddSeconds(30)).Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_client_waits_for_the_longer_of_its_own_wait_and_the_username_wide_one()
    {
        var own = Failure("10.0.0.1", Now, times: 5);
        var other = Failure("10.0.0.2", Now);

        // Its own five failures: 16 s; the username-wide wait of two clients: 1 s.
        Policy.WaitFor("10.0.0.1", [own, other], Now).Should().Be(TimeSpan.FromSeconds(16));
        Policy.WaitFor("10.0.0.2", [own, other], Now).Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_wait_that_is_over_is_zero_never_negative()
    {
        var failures = new[] { Failure("10.0.0.1", Now, times: 3), Failure("10.0.0.2", Now) };

        Policy.WaitFor("10.0.0.1", failures, Now.AddMinutes(10)).Should().Be(TimeSpan.Zero);
        Policy.WaitFor("10.9.9.9", failures, Now.AddMinutes(10)).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void A_failure_blocks_its_client_until_the_delay_after_it()
    {
        var failure = Failure("10.0.0.1", Now, times: 3);

        failure.Failures.Should().Be(3);
        failure.LastFailedAt.Should().Be(Now);
        failure.BlockedUntil.Should().Be(Now.AddSeconds(4));
    }

    private static LoginFailure Failure(string client, DateTimeOffset at, int times = 1)
    {
        var failure = LoginFailure.Start("alice", client);
        for (var i = 0; i < times; i++)
        {
            failure.Record(at, Policy);
        }

        return failure;
    }
}
