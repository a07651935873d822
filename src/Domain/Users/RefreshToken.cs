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

    /// <summary>
    /// When the family ends whatever its rotations (the login's absolute lifetime); every rotation inherits it. Null on
    /// tokens issued before families had one: they end at <see cref="ExpiresAt"/>.
    /// </summary>
    public DateTimeOffset? FamilyExpiresAt { get; private set; }

    /// <summary>Set when this token was exchanged for the next one in its family.</summary>
    public DateTimeOffset? RotatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>A token valid for <paramref name="lifetime"/>, but never past its family's end, <paramref name="familyExpiresAt"/>.</summary>
    public static RefreshToken Issue(long userId, Guid familyId, string tokenHash, DateTimeOffset at, TimeSpan lifetime, DateTimeOffset? familyExpiresAt = null)
    {
        var expiresAt = at + lifetime;
        return new RefreshToken
        {
            UserId = userId,
            FamilyId = familyId,
            TokenHash = tokenHash,
            CreatedAt = at,
            ExpiresAt = familyExpiresAt is { } end && end < expiresAt ? end : expiresAt,
            FamilyExpiresAt = familyExpiresAt,
        };
    }

    public bool IsUsable(DateTimeOffset at) => RotatedAt is null && RevokedAt is null && ExpiresAt > at;
}
