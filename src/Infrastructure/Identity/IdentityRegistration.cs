using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Users.GetUserAccess;

namespace ThreatPlatform.Infrastructure.Identity;

internal static class IdentityRegistration
{
    public static IServiceCollection AddIdentityServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value);
        services.AddSingleton<IPasswordHasher, IdentityPasswordHasher>();
        services.AddSingleton<ITokenService, JwtTokenService>();
        services.AddScoped<IUserLocks, UserLocks>();
        services.AddSingleton<IUserAccessReader, CachedUserAccessReader>();
        return services;
    }
}
