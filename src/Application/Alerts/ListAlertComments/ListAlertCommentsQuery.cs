using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Alerts.ListAlertComments;

/// <summary>GET /api/alerts/{id}/comments/: the alert's comments that are not deleted, oldest first, a page at a time.</summary>
public sealed record ListAlertCommentsQuery(long AlertId, ListCriteria<AlertComment> Criteria) : IQuery<Page<AlertCommentDto>>
{
    /// <summary>No filters: a conversation reads oldest first.</summary>
    public static readonly ListSpec<AlertComment> Spec = ListSpec.For<AlertComment>()
        .Order("created_at", c => c.CreatedAt)
        .DefaultOrder("created_at")
        .TieBreaker(c => c.Id);
}

public sealed class ListAlertCommentsQueryHandler(IApplicationReadDbContext db) : IQueryHandler<ListAlertCommentsQuery, Page<AlertCommentDto>>
{
    public async ValueTask<Page<AlertCommentDto>> Handle(ListAlertCommentsQuery query, CancellationToken cancellationToken)
    {
        if (!await db.Alerts.AnyAsync(a => a.Id == query.AlertId, cancellationToken))
        {
            throw new NotFound("Alert", query.AlertId);
        }

        var spec = ListAlertCommentsQuery.Spec;
        var comments = spec.Apply(
            db.AlertComments.AsNoTracking().Where(c => c.AlertId == query.AlertId && c.DeletedAt == null),
            query.Criteria);
        var users = db.Users;
        return await spec.PageAsync(
            comments,
            query.Criteria,
            page => page.Select(c => new AlertCommentDto(
                c.Id,
                new UserRefDto(c.AuthorId, users.Where(u => u.Id == c.AuthorId).Select(u => u.Username).First()),
                c.Body,
                c.CreatedAt)),
            comment => comment,
            cancellationToken);
    }
}
