using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>The dispatcher's settings (section Notifications), validated at start.</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>Attempts before a delivery is DEAD.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Hours after it was queued that a delivery still failing is DEAD, whatever its attempts.</summary>
    [Range(1, 24 * 30)]
    public int MaxAgeHours { get; set; } = 24;

    /// <summary>The first retry waits about this long; each next one twice as long (with jitter), up to <see cref="BackoffMaxSeconds"/>.</summary>
    [Range(1, 3600)]
    public int BackoffBaseSeconds { get; set; } = 5;

    [Range(1, 24 * 3600)]
    public int BackoffMaxSeconds { get; set; } = 3600;

    /// <summary>The backstop: the dispatcher looks for due work this often even when no NOTIFY woke it.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>How often the SLA sweep looks for newly breached alerts.</summary>
    [Range(1, 3600)]
    public int SlaSweepSeconds { get; set; } = 30;

    /// <summary>Deliveries claimed at a time by one dispatcher.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;

    /// <summary>
    /// Sends (webhook or chat requests, mails) one dispatcher runs at once. A receiver that hangs holds one until the
    /// request time-out; the others go on.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentSends { get; set; } = 16;

    /// <summary>
    /// Of those, the sends one channel may hold at once: a channel whose receiver hangs under a flood of alerts fills
    /// this many slots, not all of them (its further deliveries wait in the outbox until one of its sends ends).
    /// </summary>
    [Range(1, 256)]
    public int MaxSendsPerChannel { get; set; } = 4;

    /// <summary>
    /// A claimed delivery is not due again for this long: if its host dies mid-send, another host sends it after this
    /// (at least once across crashes). Must exceed a send's time-out.
    /// </summary>
    [Range(10, 3600)]
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>A webhook or chat request's time-out.</summary>
    [Range(1, 60)]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>Networks (CIDR) that webhook and chat URLs may reach although loopback, private, link-local or unique-local.</summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>Whether this process runs a dispatcher (every API replica does by default).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    public IReadOnlyList<IPNetwork> ParsedAllowedNetworks() => [.. AllowedNetworks.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => IPNetwork.Parse(n.Trim()))];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks.Where(n => !string.IsNullOrWhiteSpace(n)))
        {
            if (!IPNetwork.TryParse(network.Trim(), out _))
            {
                yield return new ValidationResult($"Notifications:AllowedNetworks: '{network}' is not a network in CIDR notation.", [nameof(AllowedNetworks)]);
            }
        }
    }
}

/// <summary>How the platform reaches its SMTP server (section Smtp).</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "threatplatform@localhost";

    /// <summary>None, StartTls or Tls.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;
}

public enum SmtpSecurity
{
    None,
    StartTls,
    Tls,
}

/// <summary>Where the console lives, for the links in notifications (Console__PublicUrl).</summary>
public sealed class ConsoleLinkOptions
{
    public const string Section = "Console";

    public string? PublicUrl { get; set; }
}
