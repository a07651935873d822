using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Sensors.RevokeApiKey;

/// <summary>
/// An admin revokes a sensor's key (DELETE /api/sensors/{id}/keys/{key_id}/); revoking it again changes nothing. The
/// database tells every API process in the same transaction (a trigger's NOTIFY), so the key stops everywhere at once.
/// </summary>
public sealed record RevokeApiKeyCommand(long SensorId, long KeyId) : ICommand;

public sealed class RevokeApiKeyCommandHandler(IApplicationDbContext db, IAuditLog audit, TimeProvider clock) : ICommandHandler<RevokeApiKeyCommand>
{
    public async ValueTask<Unit> Handle(RevokeApiKeyCommand command, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == command.KeyId && k.SensorId == command.SensorId, cancellationToken)
            ?? throw new NotFound("API key", command.KeyId);
        key.Revoke(clock.GetUtcNow());
        audit.Record(AuditAction.ApiKeyRevoked, AuditTargets.ApiKey(key.Id), $"sensor {key.SensorId}, prefix {key.Prefix}");
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}
