using ThreatPlatform.Application.Users.Common;

namespace ThreatPlatform.Application.UnitTests.Users;

public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("Tr0ub4dor&3x")]
    [InlineData("ab1234567890")]
    public void A_long_uncommon_password_passes(string password) =>
        PasswordPolicy.Check(password, "alice", "alice@example.org").Should().BeEmpty();

    [Fact]
    public void The_common_list_holds_at_least_the_published_ten_thousand()
    {
        PasswordPolicy.CommonPasswordCount.Should().BeGreaterThanOrEqualTo(10_000);
        PasswordPolicy.Check("leavemealone", null, null).Should().Equal("This password is too common.");
    }

    [Theory]
    [InlineData("short1!", "This password is too short. It must contain at least 10 characters.")]
    [InlineData("98765432109876", "This password is entirely numeric.")]
    [InlineData("qwertyuiop", "This password is too common.")]
    [InlineData("PASSWORD123", "This password is too common.")]
    [InlineData("  iloveyou123  ", "This password is too common.")]
    [InlineData("", "password is required.")]
    public void A_weak_password_is_refused_with_the_reason(string password, string reason) =>
        PasswordPolicy.Check(password, "alice", "alice@example.org").Should().Contain(reason);

    [Theory]
    [InlineData("Marigold")]
    [InlineData("my-marigold-2024")]
    public void A_password_that_is_or_contains_the_username_is_refused(string password) =>
        PasswordPolicy.Check(password.PadRight(10, '!'), "marigold", "someone@example.org")
            .Should().Contain("The password is too similar to the username.");

    [Fact]
    public void A_password_containing_the_email_name_is_refused() =>
        PasswordPolicy.Check("jsmith-rocks-42", "john", "jsmith@example.org")
            .Should().Contain("The password is too similar to the email address.");

    [Fact]
    public void A_one_letter_username_does_not_forbid_every_password_containing_that_letter() =>
        PasswordPolicy.Check("a sound passphrase 42", "a", "a@example.org").Should().BeEmpty();

    [Fact]
    public void A_password_over_the_maximum_length_is_refused() =>
        PasswordPolicy.Check(new string('x', PasswordPolicy.MaximumLength) + "yz", "alice", "alice@example.org")
            .Should().ContainSingle(m => m.Contains("too long", StringComparison.Ordinal));
}
