using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.UnitTests.Users;

public sealed class RefreshTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_token_is_usable_until_it_expires()
    {
        var token = Issue();

        token.IsUsable(Now).Should().BeTrue();
        token.IsUsable(Now + TimeSpan.FromDays(7)).Should().BeFalse();
    }

    [Fact]
    public void A_token_never_outlives_its_family()
    {
        var familyEnd = Now + TimeSpan.FromDays(3);

        var token = RefreshToken.Issue(1, Guid.NewGuid(), new string('a', 64), Now, TimeSpan.FromDays(7), familyEnd);

        token.ExpiresAt.Should().Be(familyEnd);
        token.IsUsable(familyEnd - TimeSpan.FromSeconds(1)).Should().BeTrue();
        token.IsUsable(familyEnd).Should().BeFalse();
    }

    [Fact]
    public void A_family_ending_after_the_tokens_own_lifetime_leaves_the_lifetime_alone()
    {
        var token = RefreshToken.Issue(1, Guid.NewGuid(), new string('a', 64), Now, TimeSpan.FromDays(7), Now + TimeSpan.FromDays(30));

        token.ExpiresAt.Should().Be(Now + TimeSpan.FromDays(7));
    }

    private static RefreshToken Issue() => RefreshToken.Issue(1, Guid.NewGuid(), new string('a', 64), Now, TimeSpan.FromDays(7));
}
