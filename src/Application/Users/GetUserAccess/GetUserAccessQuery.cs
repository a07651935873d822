using Mediator;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.GetUserAccess;

/// <summary>What a valid access token's user may do right now, and since when their tokens count: null when the user is gone.</summary>
public sealed record UserAccess(UserRole Role, bool IsActive, DateTimeOffset? TokensValidAfter = null)
{
    /// <summary>Whether a token of this user issued at <paramref name="issuedAt"/> (its <c>iat</c>) may act now.</summary>
    public bool Admits(DateTimeOffset issuedAt) => IsActive && User.AdmitsTokenIssuedAt(TokensValidAfter, issuedAt);
}

/// <summary>
/// Asked on every authenticated request, so that deactivating a user, changing their role or signing them out everywhere
/// takes effect at their next request rather than when their token expires.
/// </summary>
public sealed record GetUserAccessQuery(long UserId) : IQuery<UserAccess?>;

/// <summary>
/// A user's role, active flag and tokens-valid-after time as the database has them now. Infrastructure answers from an in-process cache that
/// the database's notifications invalidate (a change through this process at once, through another within moments).
/// </summary>
public interface IUserAccessReader
{
    ValueTask<UserAccess?> FindAsync(long userId, CancellationToken cancellationToken);
}

public sealed class GetUserAccessQueryHandler(IUserAccessReader users) : IQueryHandler<GetUserAccessQuery, UserAccess?>
{
    public ValueTask<UserAccess?> Handle(GetUserAccessQuery query, CancellationToken cancellationToken) =>
        users.FindAsync(query.UserId, cancellationToken);
}
