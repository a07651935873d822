using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.GetUserAccess;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.Infrastructure.Persistence.Audit;

namespace ThreatPlatform.Infrastructure.Identity;

internal static class IdentityRegistration
{
    public static IServiceCollection AddIdentityServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .ValidateSettings(AuthOptions.Section)
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value);
        services.AddSingleton<IPasswordHasher, IdentityPasswordHasher>();
        services.AddSingleton<ITokenService, JwtTokenService>();
        services.AddSingleton<IDeviceTokens, DeviceTokenService>();
        services.AddScoped<IUserLocks, UserLocks>();
        services.AddScoped<AuditChain>();
        services.AddScoped<IAuditLog>(sp => sp.GetRequiredService<AuditChain>());
        services.TryAddScoped<IAuditContext, SystemAuditContext>();
        services.AddSingleton<IUserAccessReader, CachedUserAccessReader>();
        return services;
    }
}

/// <summary>Outside a request (commands, background work): the system acts, from no address.</summary>
internal sealed class SystemAuditContext : IAuditContext
{
    public long? ActorId => null;

    public string? ActorName => "system";

    public string? ClientAddress => null;
}
