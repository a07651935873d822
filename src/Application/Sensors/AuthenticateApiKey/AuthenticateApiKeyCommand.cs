using Mediator;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.AuthenticateApiKey;

/// <summary>A presented API key, as sent; the answer says which sensor and key it is, or null when it does not authenticate.</summary>
public sealed record AuthenticateApiKeyCommand(string Key) : ICommand<ApiKeyIdentity?>;

/// <summary>The sensor a valid key speaks for, the key itself, and whether the sensor groups its severe events.</summary>
public sealed record ApiKeyIdentity(long SensorId, long KeyId, bool Grouping);

/// <summary>
/// A key authenticates when it has the key's shape, its prefix is stored, its secret matches the stored hash (compared
/// in constant time), it is neither revoked nor expired, and its sensor is active. Every refusal looks the same (401).
/// </summary>
public sealed class AuthenticateApiKeyCommandHandler(IApiKeyCredentials credentials, TimeProvider clock)
    : ICommandHandler<AuthenticateApiKeyCommand, ApiKeyIdentity?>
{
    public async ValueTask<ApiKeyIdentity?> Handle(AuthenticateApiKeyCommand command, CancellationToken cancellationToken)
    {
        if (!ApiKeyText.TryParse(command.Key, out var prefix, out var secret)
            || await credentials.FindAsync(prefix, cancellationToken) is not { } credential
            || !ApiKeyText.Matches(secret, credential.SecretHash))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (!credential.SensorIsActive || !ApiKey.IsUsable(credential.RevokedAt, credential.ExpiresAt, now))
        {
            return null;
        }

        await credentials.MarkUsedAsync(credential.KeyId, now, cancellationToken);
        return new ApiKeyIdentity(credential.SensorId, credential.KeyId, credential.SensorGroups);
    }
}
