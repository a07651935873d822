using Microsoft.Extensions.Options;
using ThreatPlatform.Infrastructure.Configuration;

namespace ThreatPlatform.WebApi.Syslog;

/// <summary>
/// The syslog listener (<see cref="SyslogListener"/>) and its writer (<see cref="SyslogWriter"/>), registered only when
/// a <c>Syslog__…Port</c> is set; <see cref="SyslogCaller"/> always (the current user reads it).
/// </summary>
internal static class SyslogHosting
{
    public static IServiceCollection AddSyslog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<SyslogCaller>();
        services.AddOptions<SyslogOptions>()
            .Bind(configuration.GetSection(SyslogOptions.Section))
            .ValidateSettings(SyslogOptions.Section)
            .ValidateOnStart();
        var options = Settings.Read<SyslogOptions>(configuration, SyslogOptions.Section);
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SyslogOptions>>().Value);
        services.AddSingleton<SyslogQueue>();
        // The writer before the listener: hosted services stop in reverse order, so at shutdown the listener closes its
        // sockets and completes the queue first, and the writer then writes what the queue holds.
        services.AddHostedService<SyslogWriter>();
        services.AddSingleton<SyslogListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SyslogListener>());
        return services;
    }
}
