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

    private static RefreshToken Issue() => RefreshToken.Issue(1, Guid.NewGuid(), new string('a', 64), Now, TimeSpan.FromDays(7));
}
