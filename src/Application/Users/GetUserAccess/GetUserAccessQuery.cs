using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.GetUserAccess;

/// <summary>What a valid access token's user may do right now: null when the user is gone.</summary>
public sealed record UserAccess(UserRole Role, bool IsActive);

/// <summary>
/// Asked on every authenticated request, so that deactivating a user or changing their role takes effect at their next
/// request rather than when their token expires. One primary-key lookup of two columns.
/// </summary>
public sealed record GetUserAccessQuery(long UserId) : IQuery<UserAccess?>;

public sealed class GetUserAccessQueryHandler(IApplicationDbContext db) : IQueryHandler<GetUserAccessQuery, UserAccess?>
{
    public async ValueTask<UserAccess?> Handle(GetUserAccessQuery query, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking()
            .Where(u => u.Id == query.UserId)
            .Select(u => new UserAccess(u.Role, u.IsActive))
            .FirstOrDefaultAsync(cancellationToken);
}
