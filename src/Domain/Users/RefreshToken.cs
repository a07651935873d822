namespace ThreatPlatform.Domain.Users;

/// <summary>
/// One refresh token, stored only as a hash. Tokens rotate within a family; presenting a token that was already
/// rotated is treated as theft and revokes the whole family.
/// </summary>
public sealed class RefreshToken
{
    private RefreshToken()
    {
        TokenHash = null!;
    }

    public long Id { get; private set; }
    public long UserId { get; private set; }
    public Guid FamilyId { get; private set; }
    public string TokenHash { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Set when this token was exchanged for the next one in its family.</summary>
    public DateTimeOffset? RotatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public static RefreshToken Issue(long userId, Guid familyId, string tokenHash, DateTimeOffset at, TimeSpan lifetime) => new()
    {
        UserId = userId,
        FamilyId = familyId,
        TokenHash = tokenHash,
        CreatedAt = at,
        ExpiresAt = at + lifetime,
    };

    public bool IsUsable(DateTimeOffset at) => RotatedAt is null && RevokedAt is null && ExpiresAt > at;
}
