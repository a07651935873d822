using FluentValidation;
using Mediator;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;

namespace ThreatPlatform.Application.Alerts.UpdateAlertStatus;

/// <summary>An admin moves an alert along its lifecycle (PATCH /api/alerts/{id}/status/), with an optional note.</summary>
public sealed record UpdateAlertStatusCommand(long Id, AlertStatus Status, string? Note) : ICommand<AlertDetailDto>;

/// <summary>
/// Load, let the alert decide, save. The alert refuses illegal moves itself; a concurrent change to the same alert
/// fails the save on its xmin row version, so no history entry is lost and no change silently overwritten (redone on
/// a fresh copy unless If-Match named the version: <see cref="AlertDetails.ChangeAsync(IApplicationDbContext, long, IIfMatch, Action{Alert}, CancellationToken)"/>).
/// </summary>
public sealed class UpdateAlertStatusCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IIfMatch ifMatch, TimeProvider clock)
    : ICommandHandler<UpdateAlertStatusCommand, AlertDetailDto>
{
    public async ValueTask<AlertDetailDto> Handle(UpdateAlertStatusCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.RequiredId(nameof(UpdateAlertStatusCommand));
        var note = string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim();
        var alert = await db.ChangeAsync(command.Id, ifMatch, a => a.ChangeStatus(command.Status, by, note, clock.GetUtcNow()), cancellationToken);
        return await alert.ToDetailAsync(db, clock, cancellationToken);
    }
}

public sealed class UpdateAlertStatusCommandValidator : AbstractValidator<UpdateAlertStatusCommand>
{
    public UpdateAlertStatusCommandValidator()
    {
        RuleFor(c => c.Status).IsInEnum().WithMessage("status is not an alert status.");
        RuleFor(c => c.Note)
            .MaximumLength(AlertHistoryEntry.NoteMaxLength)
            .WithMessage($"note must be at most {AlertHistoryEntry.NoteMaxLength} characters.");
    }
}
