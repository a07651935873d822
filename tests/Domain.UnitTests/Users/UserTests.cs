using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.UnitTests.Users;

public sealed class UserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Username_and_email_are_normalized_for_case_insensitive_uniqueness()
    {
        var user = User.Create(" Alice ", "Alice@Example.ORG", "hash", UserRole.Analyst, Now);

        user.Username.Should().Be("Alice");
        user.NormalizedUsername.Should().Be("alice");
        user.NormalizedEmail.Should().Be("alice@example.org");
        user.IsActive.Should().BeTrue();
        user.DateJoined.Should().Be(Now);
    }

    [Fact]
    public void Successful_login_records_the_time()
    {
        var user = Analyst();

        user.RecordSuccessfulLogin(Now);

        user.LastLogin.Should().Be(Now);
    }

    [Theory]
    [InlineData(UserRole.Analyst, null, nameof(User.Role))]
    [InlineData(null, false, nameof(User.IsActive))]
    [InlineData(UserRole.Analyst, false, nameof(User.IsActive))]
    public void Last_active_admin_cannot_lose_admin_power(UserRole? role, bool? isActive, string member)
    {
        var admin = Admin();

        var act = () => admin.ChangeAccess(role, isActive, otherActiveAdmins: 0);

        act.Should().Throw<LastActiveAdmin>().Which.Member.Should().Be(member);
        admin.Role.Should().Be(UserRole.Admin);
        admin.IsActive.Should().BeTrue();
    }

    [Fact]
    public void Last_active_admin_may_be_left_as_is()
    {
        var admin = Admin();

        admin.ChangeAccess(UserRole.Admin, true, otherActiveAdmins: 0);

        admin.IsActiveAdmin.Should().BeTrue();
    }

    [Fact]
    public void An_admin_may_be_demoted_while_another_active_admin_remains()
    {
        var admin = Admin();

        admin.ChangeAccess(UserRole.Analyst, false, otherActiveAdmins: 1);

        admin.Role.Should().Be(UserRole.Analyst);
        admin.IsActive.Should().BeFalse();
    }

    [Fact]
    public void Absent_changes_keep_the_current_values()
    {
        var analyst = Analyst();

        analyst.ChangeAccess(null, null, otherActiveAdmins: 0);

        analyst.Role.Should().Be(UserRole.Analyst);
        analyst.IsActive.Should().BeTrue();
    }

    private static User Analyst() => User.Create("analyst", "analyst@example.org", "hash", UserRole.Analyst, Now);

    private static User Admin() => User.Create("admin", "admin@example.org", "hash", UserRole.Admin, Now);
}
