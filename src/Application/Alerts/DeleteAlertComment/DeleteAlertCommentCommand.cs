using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Alerts.DeleteAlertComment;

/// <summary>DELETE /api/alerts/{id}/comments/{cid}/: its author or an admin removes a comment from the alert.</summary>
public sealed record DeleteAlertCommentCommand(long AlertId, long CommentId) : ICommand;

public sealed class DeleteAlertCommentCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IIfMatch ifMatch, TimeProvider clock)
    : ICommandHandler<DeleteAlertCommentCommand>
{
    public async ValueTask<Unit> Handle(DeleteAlertCommentCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.RequiredId(nameof(DeleteAlertCommentCommand));
        await db.ChangeAsync(command.AlertId, ifMatch, async alert =>
        {
            var comment = await db.AlertComments.FirstOrDefaultAsync(c => c.Id == command.CommentId && c.AlertId == command.AlertId, cancellationToken)
                ?? throw new NotFound("Comment", command.CommentId);
            alert.DeleteComment(comment, by, currentUser.IsAdmin(), clock.GetUtcNow());
        }, cancellationToken);
        return Unit.Value;
    }
}
