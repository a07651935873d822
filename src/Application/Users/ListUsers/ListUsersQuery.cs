using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Common;

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

        // As DRF: a page past the last one is a 404 (page 1 of nothing is an empty page).
        if (pageNumber > 1 && (long)(pageNumber - 1) * pageSize >= count)
        {
            throw new NotFound("Page", pageNumber);
        }

        var items = await db.Users.AsNoTracking()
            .OrderBy(u => u.Id)
            .Skip((pageNumber - 1) * pageSize)
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
