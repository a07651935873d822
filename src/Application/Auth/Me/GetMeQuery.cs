using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Auth.Me;

/// <summary>The signed-in user, as the database has them now (not as the token remembers).</summary>
public sealed record GetMeQuery : IQuery<MeDto>;

public sealed class GetMeQueryHandler(IApplicationDbContext db, ICurrentUser currentUser) : IQueryHandler<GetMeQuery, MeDto>
{
    public async ValueTask<MeDto> Handle(GetMeQuery query, CancellationToken cancellationToken)
    {
        var id = currentUser.Id ?? throw new InvalidOperationException("GetMeQuery needs an authenticated caller.");
        return await db.Users.AsNoTracking().Where(u => u.Id == id).ProjectToMe().FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFound("User", id);
    }
}
