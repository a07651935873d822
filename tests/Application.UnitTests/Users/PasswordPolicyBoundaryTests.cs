using ThreatPlatform.Application.Users.Common;

namespace ThreatPlatform.Application.UnitTests.Users;

/// <summary>The password rules at their edges.</summary>
public sealed class PasswordPolicyBoundaryTests
{
    [Fact]
    public void Ten_characters_are_enough_and_nine_are_not()
    {
        PasswordPolicy.Check("vq7#Lm2!xZ", "alice", "alice@example.org").Should().BeEmpty();
        PasswordPolicy.Check("vq7#Lm2!x", "alice", "alice@example.org").Should().ContainSingle().Which.Should().Contain("too short");
    }

    [Fact]
    public void A_passphrase_of_exactly_the_maximum_length_is_accepted()
    {
        var longest = string.Concat(Enumerable.Repeat("pale-Orbit-", 94))[..PasswordPolicy.MaximumLength];

        PasswordPolicy.Check(longest, "alice", "alice@example.org").Should().BeEmpty();
        PasswordPolicy.Check(longest + "x", "alice", "alice@example.org").Should().ContainSingle().Which.Should().Contain("too long");
    }

    [Fact]
    public void A_three_character_username_inside_the_password_is_too_similar()
    {
        PasswordPolicy.Check("my-bob-vq7#Lm2!", "bob", "someone@example.org")
            .Should().Equal("The password is too similar to the username.");
        PasswordPolicy.Check("my-bo-vq7#Lm2!", "bo", "someone@example.org").Should().BeEmpty("two characters are too likely by chance");
    }
}
