using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Domain.Notifications;

/// <summary>
/// Which alert events go to which channels: the events, the filters (all given must match: severity at least
/// <see cref="MinSeverity"/>, source one of <see cref="Sources"/>, every one of <see cref="Tags"/>, technique one of
/// <see cref="Techniques"/> or a sub-technique of one), and an optional throttle. The matching itself runs in the
/// database (function notification_enqueue, migration NotificationOutbox), in the transaction of the alert change.
/// </summary>
public sealed class NotificationRule : Entity
{
    public const int NameMaxLength = 100;
    public const int MaxChannels = 20;
    public const int MaxFilterValues = 100;
    public const int MaxThrottleSeconds = 86_400;

    private NotificationRule()
    {
        Name = null!;
        NormalizedName = null!;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }
    public string NormalizedName { get; private set; }
    public bool IsActive { get; private set; }
    public string[] Events { get; private set; } = [];
    public Severity MinSeverity { get; private set; }
    public string[] Sources { get; private set; } = [];
    public string[] Tags { get; private set; } = [];
    public string[] Techniques { get; private set; } = [];
    public long[] ChannelIds { get; private set; } = [];

    /// <summary>At most this many notifications per channel in a window; the rest of the window goes out as one digest.</summary>
    public int? ThrottleMax { get; private set; }
    public int? ThrottlePerSeconds { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public static NotificationRule Create(NotificationRuleSpec spec, DateTimeOffset at)
    {
        var rule = new NotificationRule { CreatedAt = at, IsActive = true, MinSeverity = Severity.High };
        rule.Apply(spec);
        return rule;
    }

    /// <summary>An admin's change: absent (null) parts stay as they are.</summary>
    public void Apply(NotificationRuleSpec spec)
    {
        if (spec.Name is not null)
        {
            Name = spec.Name.Trim();
            NormalizedName = Normalize(spec.Name);
        }

        IsActive = spec.IsActive ?? IsActive;
        Events = spec.Events is null ? Events : [.. spec.Events.Distinct(StringComparer.Ordinal)];
        MinSeverity = spec.MinSeverity ?? MinSeverity;
        Sources = spec.Sources is null ? Sources : [.. spec.Sources.Distinct(StringComparer.Ordinal)];
        Tags = spec.Tags is null ? Tags : [.. spec.Tags.Distinct(StringComparer.Ordinal)];
        Techniques = spec.Techniques is null ? Techniques : [.. spec.Techniques.Distinct(StringComparer.OrdinalIgnoreCase).Select(t => t.ToUpperInvariant())];
        ChannelIds = spec.Channels is null ? ChannelIds : [.. spec.Channels.Distinct()];
        if (spec.Throttle is { } throttle)
        {
            ThrottleMax = throttle.Off ? null : throttle.Max;
            ThrottlePerSeconds = throttle.Off ? null : throttle.PerSeconds;
        }

        if (Events.Length == 0 || Events.Any(e => !NotificationEvents.Selectable.Contains(e)))
        {
            throw new Invalid("events must name at least one alert event.", nameof(Events));
        }

        if (ChannelIds.Length == 0)
        {
            throw new Invalid("channels must name at least one channel.", "Channels");
        }
    }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();
}

/// <summary>What an admin gives for a rule; null parts are absent (PATCH) or defaulted (create).</summary>
public sealed record NotificationRuleSpec(
    string? Name,
    bool? IsActive,
    IReadOnlyList<string>? Events,
    Severity? MinSeverity,
    IReadOnlyList<string>? Sources,
    IReadOnlyList<string>? Tags,
    IReadOnlyList<string>? Techniques,
    IReadOnlyList<long>? Channels,
    Throttle? Throttle);

/// <summary>A rule's throttle; <see cref="Off"/> removes it (PATCH with throttle: null is "unchanged", so off is explicit).</summary>
public sealed record Throttle(int Max, int PerSeconds, bool Off = false)
{
    public static Throttle None { get; } = new(0, 0, true);
}
