using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;

namespace ThreatPlatform.Application.Alerts.AddAlertComment;

/// <summary>POST /api/alerts/{id}/comments/: a comment by the caller (1–10,000 characters, kept as sent).</summary>
public sealed record AddAlertCommentCommand(long AlertId, string Body) : ICommand<AlertCommentDto>;

public sealed class AddAlertCommentCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IIfMatch ifMatch, TimeProvider clock)
    : ICommandHandler<AddAlertCommentCommand, AlertCommentDto>
{
    public async ValueTask<AlertCommentDto> Handle(AddAlertCommentCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.RequiredId(nameof(AddAlertCommentCommand));
        AlertComment? comment = null;
        var alert = await db.ChangeAsync(command.AlertId, ifMatch, a =>
        {
            comment = a.AddComment(by, command.Body, clock.GetUtcNow());
            db.AlertComments.Add(comment);
        }, cancellationToken);

        var author = await db.Users.AsNoTracking().Where(u => u.Id == by).Select(u => u.Username).SingleAsync(cancellationToken);
        // The change ran (at least once) before ChangeAsync returned: the comment is the one its saved attempt added.
        return new AlertCommentDto(comment!.Id, new UserRefDto(by, author), comment.Body, comment.CreatedAt) { AlertVersion = alert.Version };
    }
}
