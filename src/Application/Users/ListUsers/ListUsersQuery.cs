using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Users.Common;

namespace ThreatPlatform.Application.Users.ListUsers;

/// <summary>Every user, oldest first, a page at a time (page from 1; page_size default 10, at most 100).</summary>
public sealed record ListUsersQuery(int? Page, int? PageSize) : IQuery<Page<UserDto>>;

public sealed class ListUsersQueryHandler(IApplicationDbContext db) : IQueryHandler<ListUsersQuery, Page<UserDto>>
{
    public async ValueTask<Page<UserDto>> Handle(ListUsersQuery query, CancellationToken cancellationToken)
    {
        var pageNumber = query.Page ?? 1;
        var pageSize = Paging.ClampPageSize(query.PageSize);
        var count = await db.Users.LongCountAsync(cancellationToken);
        Paging.ThrowIfPastEnd(pageNumber, pageSize, count);

        var items = await db.Users.AsNoTracking()
            .OrderBy(u => u.Id)
            .Skip(Paging.Skip(pageNumber, pageSize))
            .Take(pageSize)
            .ProjectToDto()
            .ToListAsync(cancellationToken);
        return new Page<UserDto>(items, count, pageNumber, pageSize);
    }
}

public sealed class ListUsersQueryValidator : AbstractValidator<ListUsersQuery>
{
    public ListUsersQueryValidator() => RuleFor(q => q.Page)
        .GreaterThanOrEqualTo(1).WithMessage("page must be 1 or more.");
}
