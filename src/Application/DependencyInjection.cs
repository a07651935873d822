using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Alerts.StreamAlerts;
using ThreatPlatform.Application.Users.Common;

namespace ThreatPlatform.Application;

public static class DependencyInjection
{
    /// <summary>Registers validators and other Application services; the mediator itself is generated in the host.</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddScoped<NewUsers>();
        services.AddSingleton<IIngestRateLimiter, IngestRateLimiter>();
        services.AddScoped<AlertChangeReader>();
        return services;
    }
}
