using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.UpdateChannel;

/// <summary>
/// An admin changes a channel (PATCH /api/notifications/channels/{id}/): absent fields stay; a config replaces the
/// whole config (checked for the channel's kind, the URL against the refused networks). A webhook keeps its secret
/// unless the new config names one; a WEBHOOK or SLACK channel keeps its URL when the config leaves url out or sends back
/// the masked form answers show (<see cref="ChannelUrls"/>).
/// </summary>
public sealed record UpdateChannelCommand(long Id, string? Name, bool? IsActive, ChannelConfigInput? Config) : ICommand<ChannelDto>;

public sealed class UpdateChannelCommandHandler(IApplicationDbContext db, INotificationTargets targets)
    : ICommandHandler<UpdateChannelCommand, ChannelDto>
{
    public async ValueTask<ChannelDto> Handle(UpdateChannelCommand command, CancellationToken cancellationToken)
    {
        var channel = await db.NotificationChannels.FirstOrDefaultAsync(c => c.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Channel", command.Id);
        ChannelConfig? config = null;
        if (command.Config is { } given)
        {
            var input = channel.Kind is ChannelKind.Webhook or ChannelKind.Slack && ChannelUrls.KeepsStored(channel.Kind, given.Url, channel.Config.Url)
                ? given with { Url = channel.Config.Url }
                : given;
            // Built here, not registered: its rules depend on the stored channel's kind.
            var validator = new InlineValidator<ChannelConfigInput>();
            var kind = channel.Kind;
            validator.ValidConfig(_ => kind, c => c);
            var failures = validator.Validate(input);
            if (!failures.IsValid)
            {
                throw new RequestValidationException(failures.Errors);
            }

            await targets.ThrowIfRefusedAsync(channel.Kind, input, cancellationToken);
            config = input.ToConfig(channel.Kind);
        }

        channel.Update(command.Name, command.IsActive, config, command.Config?.Secret);
        await NotificationConflicts.SaveAsync(
            db,
            () => db.NotificationChannels.AsNoTracking().AnyAsync(c => c.NormalizedName == channel.NormalizedName && c.Id != channel.Id, cancellationToken),
            "channel",
            cancellationToken);
        return channel.ToDto();
    }
}

public sealed class UpdateChannelCommandValidator : AbstractValidator<UpdateChannelCommand>
{
    public UpdateChannelCommandValidator() =>
        RuleFor(c => c.Name)
            .Must(n => n is null || (!string.IsNullOrWhiteSpace(n) && n.Trim().Length <= NotificationChannel.NameMaxLength))
            .WithMessage($"name must be 1 to {NotificationChannel.NameMaxLength} characters.");
}
