using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Domain.Notifications;

/// <summary>
/// Somewhere notifications go: a mail distribution list, a signed webhook receiver (a SOAR tool), a chat room. The
/// kind is fixed at creation; the name is unique case-insensitively.
/// </summary>
public sealed class NotificationChannel : Entity
{
    public const int NameMaxLength = 100;

    private NotificationChannel()
    {
        Name = null!;
        NormalizedName = null!;
        Config = null!;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }
    public string NormalizedName { get; private set; }
    public ChannelKind Kind { get; private set; }
    public bool IsActive { get; private set; }
    public ChannelConfig Config { get; private set; }

    /// <summary>
    /// A WEBHOOK channel's signing secret (<c>whsec_…</c>), as given or made at creation. Stored as it is: the
    /// dispatcher needs the key itself to sign (a hash would not do), and encrypting it with a key kept beside it on the
    /// same hosts would protect nothing. It is never projected into any answer after the creating one.
    /// </summary>
    public string? Secret { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    public static NotificationChannel Create(string name, ChannelKind kind, bool? isActive, ChannelConfig config, string? secret, DateTimeOffset at)
    {
        if (kind == ChannelKind.Webhook && string.IsNullOrEmpty(secret))
        {
            throw new ArgumentException("A webhook channel needs a signing secret.", nameof(secret));
        }

        return new NotificationChannel
        {
            Name = name.Trim(),
            NormalizedName = Normalize(name),
            Kind = kind,
            IsActive = isActive ?? true,
            Config = config,
            Secret = kind == ChannelKind.Webhook ? secret : null,
            CreatedAt = at,
        };
    }

    /// <summary>An admin's change; absent (null) parts stay as they are. A new webhook config keeps the secret unless it names one.</summary>
    public void Update(string? name, bool? isActive, ChannelConfig? config, string? secret)
    {
        if (name is not null)
        {
            Name = name.Trim();
            NormalizedName = Normalize(name);
        }

        IsActive = isActive ?? IsActive;
        Config = config ?? Config;
        if (Kind == ChannelKind.Webhook && !string.IsNullOrEmpty(secret))
        {
            Secret = secret;
        }
    }
}
