using System.Security.Cryptography;
using System.Text;
using ThreatPlatform.Application.Sensors.Common;

namespace ThreatPlatform.Application.UnitTests.Sensors;

public sealed class ApiKeyTextTests
{
    private const string Prefix = "abcdefgh2345";
    private static readonly string Secret = Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public void A_formatted_key_parses_back_into_its_prefix_and_secret()
    {
        var key = ApiKeyText.Format(Prefix, Secret);

        ApiKeyText.TryParse(key, out var prefix, out var secret).Should().BeTrue();

        key.Should().StartWith("tp_abcdefgh2345_");
        (prefix, secret).Should().Be((Prefix, Secret));
    }

    [Theory]
    [InlineData("")]
    [InlineData("tp_short_secret")]
    [InlineData("xx_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("tp_ABCDEFGH2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("tp_abcdefgh2345_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Text_without_the_keys_shape_does_not_parse(string key) =>
        ApiKeyText.TryParse(key, out _, out _).Should().BeFalse();

    [Fact]
    public void The_stored_hash_is_the_sha256_of_the_secret_and_never_the_secret()
    {
        var hash = ApiKeyText.Hash(Secret);

        hash.Should().Equal(SHA256.HashData(Encoding.ASCII.GetBytes(Secret)));
        hash.Should().HaveCount(32);
    }

    [Fact]
    public void The_right_secret_matches_its_hash_in_constant_time_and_any_other_does_not()
    {
        var hash = ApiKeyText.Hash(Secret);
        var other = "B" + Secret[1..];

        ApiKeyText.Matches(Secret, hash).Should().BeTrue();
        ApiKeyText.Matches(other, hash).Should().BeFalse();
        ApiKeyText.Matches(Secret, new byte[31]).Should().BeFalse("a hash of the wrong length never matches");
    }
}
