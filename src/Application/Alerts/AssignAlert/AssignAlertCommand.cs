using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Alerts.AssignAlert;

/// <summary>POST /api/alerts/{id}/assign/: gives the alert to a user, or to nobody (<see cref="AssigneeId"/> null).</summary>
public sealed record AssignAlertCommand(long Id, long? AssigneeId) : ICommand<AlertDetailDto>;

/// <summary>Load the alert and the user, let the alert decide who may assign whom, save.</summary>
public sealed class AssignAlertCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IIfMatch ifMatch, TimeProvider clock)
    : ICommandHandler<AssignAlertCommand, AlertDetailDto>
{
    public async ValueTask<AlertDetailDto> Handle(AssignAlertCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.RequiredId(nameof(AssignAlertCommand));
        var alert = await db.ChangeAsync(command.Id, ifMatch, async a =>
        {
            var assignee = await db.FindAssigneeAsync(command.AssigneeId, cancellationToken);
            a.Assign(assignee, by, currentUser.IsAdmin(), clock.GetUtcNow());
        }, cancellationToken);
        return await alert.ToDetailAsync(db, clock, cancellationToken);
    }
}

public static class Assignees
{
    /// <summary>The user an assignment names; an id that names nobody is a 400 on assignee.</summary>
    public static async Task<User?> FindAssigneeAsync(this IApplicationDbContext db, long? id, CancellationToken cancellationToken) =>
        id is not { } userId
            ? null
            : await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken)
              ?? throw new Invalid($"User {userId} does not exist.", nameof(Alert.Assignee));
}
