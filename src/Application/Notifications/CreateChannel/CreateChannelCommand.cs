using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.CreateChannel;

/// <summary>
/// An admin adds a channel (POST /api/notifications/channels/). A WEBHOOK channel without a secret gets one made; the
/// answer carries it, and no answer after this one does.
/// </summary>
public sealed record CreateChannelCommand(string Name, ChannelKind Kind, bool? IsActive, ChannelConfigInput? Config) : ICommand<ChannelDto>;

public sealed class CreateChannelCommandHandler(
    IApplicationDbContext db, INotificationTargets targets, IWebhookSecretGenerator secrets, TimeProvider clock)
    : ICommandHandler<CreateChannelCommand, ChannelDto>
{
    public async ValueTask<ChannelDto> Handle(CreateChannelCommand command, CancellationToken cancellationToken)
    {
        var input = command.Config!;
        await targets.ThrowIfRefusedAsync(command.Kind, input, cancellationToken);
        var secret = command.Kind == ChannelKind.Webhook ? input.Secret ?? secrets.NewSecret() : null;
        var channel = NotificationChannel.Create(command.Name, command.Kind, command.IsActive, input.ToConfig(command.Kind), secret, clock.GetUtcNow());
        db.NotificationChannels.Add(channel);
        await NotificationConflicts.SaveAsync(
            db,
            () => db.NotificationChannels.AsNoTracking().AnyAsync(c => c.NormalizedName == channel.NormalizedName, cancellationToken),
            "channel",
            cancellationToken);
        return channel.ToDto(secret);
    }
}

public sealed class CreateChannelCommandValidator : AbstractValidator<CreateChannelCommand>
{
    public CreateChannelCommandValidator()
    {
        RuleFor(c => c.Name)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("name is required.")
            .Must(n => n is null || n.Trim().Length <= NotificationChannel.NameMaxLength)
            .WithMessage($"name must be at most {NotificationChannel.NameMaxLength} characters.");
        RuleFor(c => c.Kind).IsInEnum().WithMessage("kind is not a channel kind.");
        RuleFor(c => c.Config).NotNull().WithMessage("config is required.");
        this.ValidConfig(c => c.Kind, c => c.Config);
    }
}
