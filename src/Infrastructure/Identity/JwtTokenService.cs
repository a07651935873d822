using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>
/// Access tokens: HS256 JWTs with sub, username, role, jti, iat (WebApi validates them with the same options).
/// Refresh tokens: 256 random bits, base64url, stored only as their SHA-256.
/// </summary>
internal sealed class JwtTokenService(IOptions<JwtOptions> options, TimeProvider clock) : ITokenService
{
    private const int RefreshTokenBytes = 32;
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string CreateAccessToken(User user)
    {
        var jwt = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            // Never before the user's tokens-valid-after time rounded up: see User.FirstValidIssue.
            IssuedAt = user.TokensValidAfter is { } after && User.FirstValidIssue(after).UtcDateTime > now
                ? User.FirstValidIssue(after).UtcDateTime
                : now,
            NotBefore = now,
            Expires = now.Add(jwt.AccessTokenLifetime),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = user.Id.ToString(CultureInfo.InvariantCulture),
                ["username"] = user.Username,
                ["role"] = user.Role.ToWire(),
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.SigningKey)), SecurityAlgorithms.HmacSha256),
        };
        return Handler.CreateToken(descriptor);
    }

    public IssuedRefreshToken IssueRefreshToken(long userId, RefreshToken? previous = null)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(RefreshTokenBytes));
        var now = clock.GetUtcNow();
        // A family from before families had an end gets one now, counted from this rotation.
        var familyEnd = previous?.FamilyExpiresAt ?? now + TimeSpan.FromDays(options.Value.RefreshFamilyDays);
        var entity = RefreshToken.Issue(
            userId,
            previous?.FamilyId ?? Guid.CreateVersion7(),
            HashRefreshToken(token),
            now,
            TimeSpan.FromDays(options.Value.RefreshTokenDays),
            familyEnd);
        return new IssuedRefreshToken(token, entity);
    }

    public string HashRefreshToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
