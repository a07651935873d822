using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Alerts.AssignAlert;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Alerts.BulkUpdateAlerts;

/// <summary>What a bulk request does to each alert: the single-alert action of the same name.</summary>
public enum BulkAlertAction
{
    Status = 1,
    Assign = 2,
    Tag = 3,
}

/// <summary>
/// POST /api/alerts/bulk/: one action on up to 500 alerts. Each alert is tried on its own, with the rules and roles of
/// the single action; one refusal does not stop the others.
/// </summary>
public sealed record BulkUpdateAlertsCommand(
    IReadOnlyList<long> Ids,
    BulkAlertAction Action,
    AlertStatus? Status = null,
    string? Note = null,
    long? AssigneeId = null,
    IReadOnlyList<string>? AddTags = null,
    IReadOnlyList<string>? RemoveTags = null) : ICommand<BulkUpdateResult>
{
    public const int MaxIds = 500;
}

/// <summary>Each id's outcome, in the order asked: done (<see cref="Error"/> null) or the refusal WebApi maps to a status.</summary>
public sealed record BulkUpdateResult(IReadOnlyList<BulkItemResult> Results);

public sealed record BulkItemResult(long Id, Exception? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// One round of work: every alert in one query, the alert's own method on each, one save. A row someone else changed
/// meanwhile (xmin) loses only its own change (409 for that id); the rest are saved.
/// </summary>
public sealed class BulkUpdateAlertsCommandHandler(IApplicationDbContext db, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<BulkUpdateAlertsCommand, BulkUpdateResult>
{
    public async ValueTask<BulkUpdateResult> Handle(BulkUpdateAlertsCommand command, CancellationToken cancellationToken)
    {
        var by = currentUser.RequiredId(nameof(BulkUpdateAlertsCommand));
        var admin = currentUser.IsAdmin();
        var now = clock.GetUtcNow();
        var ids = command.Ids.Distinct().ToList();
        var alerts = await db.Alerts.Include(a => a.Assignee)
            .Where(a => ids.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, cancellationToken);

        User? assignee = null;
        Exception? assigneeError = null;
        if (command.Action == BulkAlertAction.Assign)
        {
            try
            {
                assignee = await db.FindAssigneeAsync(command.AssigneeId, cancellationToken);
            }
            catch (Invalid e)
            {
                assigneeError = e;
            }
        }

        var errors = new Dictionary<long, Exception>();
        foreach (var id in ids)
        {
            if (!alerts.TryGetValue(id, out var alert))
            {
                errors[id] = new NotFound("Alert", id);
                continue;
            }

            try
            {
                Apply(command, alert, by, admin, assignee, assigneeError, now);
            }
            catch (DomainException e)
            {
                errors[id] = e;
            }
        }

        foreach (var lost in await db.SaveChangesSkippingConflictsAsync(cancellationToken))
        {
            errors[lost.Id] = new Conflict("Someone else changed this alert at the same time; reload it and try again.");
        }

        return new BulkUpdateResult([.. ids.Select(id => new BulkItemResult(id, errors.GetValueOrDefault(id)))]);
    }

    private static void Apply(BulkUpdateAlertsCommand command, Alert alert, long by, bool admin, User? assignee, Exception? assigneeError, DateTimeOffset now)
    {
        switch (command.Action)
        {
            case BulkAlertAction.Status:
                // As PATCH …/status/, whose Admin policy refuses anyone else.
                if (!admin)
                {
                    throw new Forbidden("Only an admin may change an alert's status.");
                }

                alert.ChangeStatus(command.Status!.Value, by, string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim(), now);
                break;
            case BulkAlertAction.Assign:
                if (assigneeError is not null)
                {
                    throw assigneeError;
                }

                alert.Assign(assignee, by, admin, now);
                break;
            case BulkAlertAction.Tag:
                alert.ChangeTags(command.AddTags ?? [], command.RemoveTags ?? [], by, now);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Action, "Not a bulk action.");
        }
    }
}

public sealed class BulkUpdateAlertsCommandValidator : AbstractValidator<BulkUpdateAlertsCommand>
{
    public BulkUpdateAlertsCommandValidator()
    {
        RuleFor(c => c.Ids)
            .Must(ids => ids.Count is >= 1 and <= BulkUpdateAlertsCommand.MaxIds)
            .WithMessage($"ids must hold 1 to {BulkUpdateAlertsCommand.MaxIds} alert ids.");
        RuleFor(c => c.Ids)
            .Must(ids => ids.All(id => id > 0))
            .WithMessage("ids must be positive alert ids.");
        RuleFor(c => c.Status)
            .NotNull().When(c => c.Action == BulkAlertAction.Status)
            .WithMessage("status is required for the status action.");
        RuleFor(c => c.Note)
            .MaximumLength(AlertHistoryEntry.NoteMaxLength)
            .WithMessage($"note must be at most {AlertHistoryEntry.NoteMaxLength} characters.");
        RuleFor(c => c)
            .Must(c => (c.AddTags?.Count ?? 0) + (c.RemoveTags?.Count ?? 0) > 0)
            .When(c => c.Action == BulkAlertAction.Tag)
            .OverridePropertyName("add_tags")
            .WithMessage("The tag action needs add_tags or remove_tags.");
    }
}
