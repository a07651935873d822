using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.ListUsers;

/// <summary>GET /api/users/: every user, oldest first by default, a page at a time.</summary>
public sealed record ListUsersQuery(ListCriteria<User> Criteria) : IQuery<Page<UserDto>>
{
    public static readonly ListSpec<User> Spec = ListSpec.For<User>()
        .AnyOf("role", u => u.Role)
        .Equal("is_active", u => u.IsActive)
        .Order("id", u => u.Id)
        .Order("username", u => u.NormalizedUsername)
        .Order("date_joined", u => u.DateJoined)
        .DefaultOrder("id")
        .TieBreaker(u => u.Id);
}

public sealed class ListUsersQueryHandler(IApplicationDbContext db) : IQueryHandler<ListUsersQuery, Page<UserDto>>
{
    public async ValueTask<Page<UserDto>> Handle(ListUsersQuery query, CancellationToken cancellationToken)
    {
        var spec = ListUsersQuery.Spec;
        return await spec.PageAsync(
            spec.Apply(db.Users.AsNoTracking(), query.Criteria),
            query.Criteria,
            page => page.ProjectToDto(),
            user => user,
            cancellationToken);
    }
}
