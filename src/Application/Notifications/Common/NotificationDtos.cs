using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Notifications.Common;

/// <summary>
/// A channel's settings as answered: the EMAIL addresses, or the URL as <see cref="ChannelUrls.Shown"/> masks it (a chat
/// URL is a credential). <see cref="Secret"/> is filled only in the answer that created a WEBHOOK channel (the one time
/// it is shown).
/// </summary>
public sealed record ChannelConfigDto(IReadOnlyList<string>? To, IReadOnlyList<string>? Cc, string? Url, string? Secret = null);

public sealed record ChannelDto(long Id, string Name, ChannelKind Kind, bool IsActive, ChannelConfigDto Config, DateTimeOffset CreatedAt);

public sealed record ThrottleDto(int Max, int PerSeconds);

public sealed record RuleDto(
    long Id,
    string Name,
    bool IsActive,
    IReadOnlyList<string> Events,
    Severity MinSeverity,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Techniques,
    IReadOnlyList<long> Channels,
    ThrottleDto? Throttle,
    DateTimeOffset CreatedAt);

/// <summary>One delivery of the outbox; its id is the webhook-id a receiver sees, the same on every attempt.</summary>
public sealed record DeliveryDto(
    long Id,
    long? Channel,
    long? Rule,
    long? Alert,
    string Event,
    DeliveryStatus Status,
    int Attempts,
    string? LastError,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt);

/// <summary>A notification of one alert, as its detail shows it.</summary>
public sealed record AlertNotificationDto(long? Channel, ChannelKind? Kind, string Event, DeliveryStatus Status, DateTimeOffset? SentAt);

/// <summary>What the delivery list's POST /retry/ answers (202).</summary>
public sealed record QueuedDeliveryDto(long DeliveryId);

public static class NotificationProjections
{
    /// <summary>Never reads <see cref="NotificationChannel.Secret"/>: no answer but the creating one carries it.</summary>
    public static IQueryable<ChannelDto> ProjectToDto(this IQueryable<NotificationChannel> channels) =>
        channels.Select(c => new ChannelDto(c.Id, c.Name, c.Kind, c.IsActive, Shown(c.Kind, c.Config, null), c.CreatedAt));

    public static ChannelDto ToDto(this NotificationChannel c, string? secret = null) =>
        new(c.Id, c.Name, c.Kind, c.IsActive, Shown(c.Kind, c.Config, secret), c.CreatedAt);

    // Mapped in memory: the config is one jsonb column, read whole.
    private static ChannelConfigDto Shown(ChannelKind kind, ChannelConfig config, string? secret) =>
        new(config.To, config.Cc, ChannelUrls.Shown(kind, config.Url), secret);

    public static IQueryable<RuleDto> ProjectToDto(this IQueryable<NotificationRule> rules) =>
        rules.Select(r => new RuleDto(
            r.Id,
            r.Name,
            r.IsActive,
            r.Events,
            r.MinSeverity,
            r.Sources,
            r.Tags,
            r.Techniques,
            r.ChannelIds,
            r.ThrottleMax == null ? null : new ThrottleDto(r.ThrottleMax.Value, r.ThrottlePerSeconds!.Value),
            r.CreatedAt));

    /// <summary>An alert's notifications, oldest first (served by ix_notification_deliveries_alert_id).</summary>
    public static async Task<IReadOnlyList<AlertNotificationDto>> OfAlertAsync(IApplicationReadDbContext db, long alertId, CancellationToken cancellationToken) =>
        await (from d in db.NotificationDeliveries.AsNoTracking()
               where d.AlertId == alertId
               join c in db.NotificationChannels.AsNoTracking() on d.ChannelId equals c.Id into channels
               from c in channels.DefaultIfEmpty()
               orderby d.Id
               select new AlertNotificationDto(d.ChannelId, c == null ? null : (ChannelKind?)c.Kind, d.Event, d.Status, d.SentAt))
            .ToListAsync(cancellationToken);

    public static IQueryable<DeliveryDto> ProjectToDto(this IQueryable<NotificationDelivery> deliveries) =>
        deliveries.Select(d => new DeliveryDto(
            d.Id, d.ChannelId, d.RuleId, d.AlertId, d.Event, d.Status, d.Attempts, d.LastError, d.NextAttemptAt, d.CreatedAt, d.SentAt));
}
