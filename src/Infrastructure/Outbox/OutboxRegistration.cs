using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Infrastructure.Configuration;

namespace ThreatPlatform.Infrastructure.Outbox;

internal static class OutboxRegistration
{
    /// <summary>Notifications: the SSRF guard, the senders, and a dispatcher on this replica (unless switched off).</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>()
            .Bind(configuration.GetSection(NotificationOptions.Section))
            .ValidateSettings(NotificationOptions.Section)
            .ValidateOnStart();
        services.AddOptions<SmtpOptions>()
            .Bind(configuration.GetSection(SmtpOptions.Section))
            .ValidateSettings(SmtpOptions.Section)
            .ValidateOnStart();
        services.AddOptions<ConsoleLinkOptions>()
            .Bind(configuration.GetSection(ConsoleLinkOptions.Section))
            .ValidateSettings(ConsoleLinkOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<NetworkGuard>();
        services.AddSingleton<INotificationTargets>(sp => sp.GetRequiredService<NetworkGuard>());
        services.AddSingleton<IWebhookSecretGenerator, RandomWebhookSecretGenerator>();
        services.AddSingleton<NotificationHttp>();
        services.AddSingleton<IChannelSender, WebhookSender>();
        services.AddSingleton<IChannelSender, SlackSender>();
        services.AddSingleton<IChannelSender, EmailSender>();
        services.AddSingleton<OutboxStore>();
        services.TryAddSingleton<INotificationMetrics, NoNotificationMetrics>();
        services.AddSingleton<NotificationDispatcher>();
        if (Settings.Read<NotificationOptions>(configuration, NotificationOptions.Section).DispatcherEnabled)
        {
            services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        }

        return services;
    }
}
