using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Infrastructure.Persistence.Audit;

internal static class AuditRegistration
{
    /// <summary>The chain key (Audit__ChainKey) and the checkpoint file (Audit__CheckpointPath).</summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditOptions>()
            .Bind(configuration.GetSection(AuditOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidation>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AuditOptions>>().Value;
            if (string.IsNullOrWhiteSpace(options.ChainKey))
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("ThreatPlatform.Audit").LogWarning(
                    "Audit__ChainKey is not set: this process keys the audit chain with a random key, so the entries it writes " +
                    "will not verify after a restart (scripts/env.sh keeps a development key in .data/)");
            }

            return AuditOptionsValidation.KeyOf(options);
        });
        services.AddSingleton(sp => new AuditCheckpointFile(
            sp.GetRequiredService<IOptions<AuditOptions>>().Value.ResolveCheckpointPath(sp.GetRequiredService<IHostEnvironment>().ContentRootPath),
            sp.GetRequiredService<AuditChainKey>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IAuditCheckpoints>(sp => sp.GetRequiredService<AuditCheckpointFile>());
        return services;
    }
}
