using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Alerts.UpdateAlertStatus;

/// <summary>An admin moves an alert along its lifecycle (PATCH /api/alerts/{id}/status/), with an optional note.</summary>
public sealed record UpdateAlertStatusCommand(long Id, AlertStatus Status, string? Note) : ICommand<AlertDetailDto>;

/// <summary>
/// Load, let the alert decide, save. The alert refuses illegal moves itself; a concurrent change to the same alert
/// fails the save on its xmin row version (409), so no history entry is lost and no change silently overwritten.
/// </summary>
public sealed class UpdateAlertStatusCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<UpdateAlertStatusCommand, AlertDetailDto>
{
    public async ValueTask<AlertDetailDto> Handle(UpdateAlertStatusCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.Id ?? throw new InvalidOperationException("UpdateAlertStatusCommand needs an authenticated caller.");

        var alert = await db.Alerts
            .Include(a => a.Event)
            .FirstOrDefaultAsync(a => a.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Alert", command.Id);

        alert.ChangeStatus(command.Status, by, string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim(), clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return await alert.ToDetailAsync(db, cancellationToken);
    }
}

public sealed class UpdateAlertStatusCommandValidator : AbstractValidator<UpdateAlertStatusCommand>
{
    public UpdateAlertStatusCommandValidator()
    {
        RuleFor(c => c.Status).IsInEnum().WithMessage("status is not an alert status.");
        RuleFor(c => c.Note)
            .MaximumLength(AlertStatusChange.NoteMaxLength)
            .WithMessage($"note must be at most {AlertStatusChange.NoteMaxLength} characters.");
    }
}
