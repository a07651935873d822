using System.ComponentModel.DataAnnotations;
using ThreatPlatform.Application.Auth.Common;

namespace ThreatPlatform.Application.UnitTests.Auth;

/// <summary>The Auth settings become the throttling policy; a ceiling below the first wait is refused at start.</summary>
public sealed class AuthOptionsTests
{
    [Fact]
    public void The_throttle_policy_takes_each_setting_in_its_unit()
    {
        var options = new AuthOptions
        {
            FreeFailedLogins = 4,
            ThrottleBaseSeconds = 2,
            ThrottleMaxSeconds = 600,
            UsernameCeilingClients = 7,
            FailureWindowMinutes = 30,
        };

        options.ThrottlePolicy.Should().Be(new Domain.Users.LoginThrottlePolicy(
            4, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10), 7, TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void The_defaults_are_three_free_failures_one_second_doubling_to_fifteen_minutes_and_owasps_iterations()
    {
        var options = new AuthOptions();

        options.ThrottlePolicy.Should().Be(new Domain.Users.LoginThrottlePolicy(
            3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15), 5, TimeSpan.FromHours(1)));
        options.PasswordIterations.Should().Be(210_000);
        options.Registration.Should().Be(RegistrationPolicy.Open);
    }

    [Theory]
    [InlineData(10, 9, false)]
    [InlineData(10, 10, true)]
    [InlineData(10, 11, true)]
    public void The_longest_wait_may_not_be_shorter_than_the_first(int baseSeconds, int maxSeconds, bool valid)
    {
        var options = new AuthOptions { ThrottleBaseSeconds = baseSeconds, ThrottleMaxSeconds = maxSeconds };

        var errors = options.Validate(new ValidationContext(options)).ToList();

        if (valid)
        {
            errors.Should().BeEmpty();
        }
        else
        {
            errors.Should().ContainSingle().Which.MemberNames.Should().Equal(nameof(AuthOptions.ThrottleMaxSeconds));
        }
    }
}
