using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.CreateApiKey;

/// <summary>An admin issues a key to a sensor (POST /api/sensors/{id}/keys/). The answer is the only time the key is shown.</summary>
public sealed record CreateApiKeyCommand(long SensorId, string? Name, DateTimeOffset? ExpiresAt) : ICommand<CreatedApiKeyDto>;

public sealed class CreateApiKeyCommandHandler(IApplicationDbContext db, IApiKeyGenerator generator, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<CreateApiKeyCommand, CreatedApiKeyDto>
{
    // The prefix is 60 random bits: a clash with a stored one is all but impossible, and the unique index catches it.
    private const int Attempts = 3;

    public async ValueTask<CreatedApiKeyDto> Handle(CreateApiKeyCommand command, CancellationToken cancellationToken)
    {
        if (!await db.Sensors.AnyAsync(s => s.Id == command.SensorId, cancellationToken))
        {
            throw new NotFound("Sensor", command.SensorId);
        }

        for (var attempt = 1; ; attempt++)
        {
            var generated = generator.Generate();
            var key = ApiKey.Issue(command.SensorId, command.Name, generated.Prefix, ApiKeyText.Hash(generated.Secret), command.ExpiresAt, clock.GetUtcNow());
            db.ApiKeys.Add(key);
            audit.Record(AuditAction.ApiKeyCreated, () => AuditTargets.ApiKey(key.Id), $"sensor {command.SensorId}, prefix {key.Prefix}");
            if (await db.TrySaveChangesAsync(cancellationToken) == SaveResult.Saved)
            {
                return new CreatedApiKeyDto(key.Id, key.Prefix, ApiKeyText.Format(generated.Prefix, generated.Secret), key.CreatedAt, key.ExpiresAt);
            }

            if (attempt == Attempts)
            {
                throw new InvalidOperationException("Could not find a free API key prefix.");
            }
        }
    }
}

public sealed class CreateApiKeyCommandValidator : AbstractValidator<CreateApiKeyCommand>
{
    public CreateApiKeyCommandValidator(TimeProvider clock)
    {
        RuleFor(c => c.Name)
            .Must(n => n is null || n.Trim().Length <= ApiKey.NameMaxLength).WithMessage($"name must be at most {ApiKey.NameMaxLength} characters.");
        RuleFor(c => c.ExpiresAt)
            .Must(at => at is null || at.Value > clock.GetUtcNow()).WithMessage("expires_at must be in the future.");
    }
}
