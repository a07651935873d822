namespace ThreatPlatform.Application.Notifications.Common;

/// <summary>
/// Where the platform may connect: a URL whose host resolves to a loopback, private, link-local, unique-local or
/// cloud-metadata address is refused (unless an allowed network holds it). The sender checks again at connect time.
/// </summary>
public interface INotificationTargets
{
    /// <summary>Null when the URL may be used; else why not (for a 400 naming config.url).</summary>
    Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>Makes a Standard Webhooks signing secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
public interface IWebhookSecretGenerator
{
    string NewSecret();
}
