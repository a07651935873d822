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
/// fails the save on its xmin row version (409), so no history entry is lost and no change silently overwritten.
/// </summary>
public sealed class UpdateAlertStatusCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, IIfMatch ifMatch, TimeProvider clock)
    : ICommandHandler<UpdateAlertStatusCommand, AlertDetailDto>
{
    public async ValueTask<AlertDetailDto> Handle(UpdateAlertStatusCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.RequiredId(nameof(UpdateAlertStatusCommand));
        var alert = await db.LoadForChangeAsync(command.Id, ifMatch, cancellationToken);

        alert.ChangeStatus(command.Status, by, string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim(), clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return await alert.ToDetailAsync(db, clock, cancellationToken);
    }
}

public sealed class UpdateAlertStatusCommandValidator : AbstractValidator<UpdateAlertStatusCommand>
{
    public UpdateAlertStatusCommandValidator()
    {
        RuleFor(c => c.Status).IsInEnum().WithMessage("status is not an alert status.");
        RuleFor(c => c.Note)
            .MaximumLength(AlertChange.NoteMaxLength)
            .WithMessage($"note must be at most {AlertChange.NoteMaxLength} characters.");
    }
}
