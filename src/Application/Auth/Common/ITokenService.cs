using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Auth.Common;

/// <summary>The pair a successful login or refresh answers with.</summary>
public sealed record TokenPair(string Access, string Refresh)
{
    public override string ToString() => "TokenPair { Access = ***, Refresh = *** }";
}

/// <summary>A new refresh token: the opaque value for the client, and the entity that stores only its hash.</summary>
public sealed record IssuedRefreshToken(string Token, RefreshToken Entity)
{
    public override string ToString() => $"IssuedRefreshToken {{ Family = {Entity.FamilyId} }}";
}

/// <summary>Access tokens (signed JWTs) and refresh tokens (random, opaque, stored hashed).</summary>
public interface ITokenService
{
    string CreateAccessToken(User user);

    /// <summary>
    /// Issues the refresh token that follows <paramref name="previous"/> in its family (same family, same absolute end),
    /// or the first of a new family (a new login) when it is null.
    /// </summary>
    IssuedRefreshToken IssueRefreshToken(long userId, RefreshToken? previous = null);

    /// <summary>The stored form of a refresh token: SHA-256, lower-case hex.</summary>
    string HashRefreshToken(string token);
}
