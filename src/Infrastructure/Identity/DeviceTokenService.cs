using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ThreatPlatform.Application.Auth.Common;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>
/// Device tokens: <c>&lt;user id&gt;.&lt;expiry, Unix seconds&gt;.&lt;HMAC-SHA256 of both, base64url&gt;</c>. The HMAC
/// key is derived from the JWT signing key (HKDF, its own purpose string), so every replica checks what any replica
/// issued, no key is stored anywhere else, and a device token can never pass for an access token or the reverse.
/// Compared in constant time.
/// </summary>
internal sealed class DeviceTokenService : IDeviceTokens
{
    private static readonly byte[] Purpose = "threatplatform device token v1"u8.ToArray();

    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;

    public DeviceTokenService(IOptions<JwtOptions> jwt, AuthOptions auth, TimeProvider clock)
    {
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(jwt.Value.SigningKey), 32, salt: [], info: Purpose);
        _lifetime = TimeSpan.FromDays(auth.DeviceCookieDays);
        _clock = clock;
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(long userId)
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds((_clock.GetUtcNow() + _lifetime).ToUnixTimeSeconds());
        var body = string.Create(CultureInfo.InvariantCulture, $"{userId}.{expires.ToUnixTimeSeconds()}");
        return ($"{body}.{Base64UrlEncoder.Encode(Sign(body))}", expires);
    }

    public long? UserIdOf(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        byte[] signature;
        try
        {
            signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }

        var expected = Sign($"{parts[0]}.{parts[1]}");
        if (!CryptographicOperations.FixedTimeEquals(signature, expected))
        {
            return null;
        }

        return expires > _clock.GetUtcNow().ToUnixTimeSeconds() ? userId : null;
    }

    private byte[] Sign(string body) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(body));
}
