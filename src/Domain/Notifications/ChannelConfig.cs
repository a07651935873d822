namespace ThreatPlatform.Domain.Notifications;

/// <summary>
/// A channel's settings that may be shown back: the addresses of an EMAIL channel, the URL of a WEBHOOK or SLACK one.
/// The webhook's signing secret is not part of it (see <see cref="NotificationChannel.Secret"/>).
/// </summary>
public sealed record ChannelConfig(IReadOnlyList<string>? To, IReadOnlyList<string>? Cc, string? Url)
{
    public const int MaxAddresses = 50;
    public const int AddressMaxLength = 254;
    public const int UrlMaxLength = 2_000;

    public static ChannelConfig Email(IReadOnlyList<string> to, IReadOnlyList<string>? cc) => new(to, cc ?? [], null);

    public static ChannelConfig ForUrl(string url) => new(null, null, url);
}
