using Mediator;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Application.Alerts.ReplaceAlertTags;

/// <summary>PUT /api/alerts/{id}/tags/: the alert's tags become exactly these (the alert refuses malformed ones).</summary>
public sealed record ReplaceAlertTagsCommand(long Id, IReadOnlyList<string> Tags) : ICommand<AlertDetailDto>;

public sealed class ReplaceAlertTagsCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IIfMatch ifMatch, TimeProvider clock)
    : ICommandHandler<ReplaceAlertTagsCommand, AlertDetailDto>
{
    public async ValueTask<AlertDetailDto> Handle(ReplaceAlertTagsCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.RequiredId(nameof(ReplaceAlertTagsCommand));
        var alert = await db.ChangeAsync(command.Id, ifMatch, a => a.ReplaceTags(command.Tags, by, clock.GetUtcNow()), cancellationToken);
        return await alert.ToDetailAsync(db, clock, cancellationToken);
    }
}
