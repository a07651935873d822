using System.Net.Mail;
using FluentValidation;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.Common;

/// <summary>A channel's config as given: checked per kind, with the wire's field names (config.to, config.url…).</summary>
public sealed record ChannelConfigInput(IReadOnlyList<string>? To, IReadOnlyList<string>? Cc, string? Url, string? Secret);

public static class ChannelRules
{
    public const string SecretPrefix = "whsec_";
    public const int MinSecretBytes = 24;

    /// <summary>A webhook secret's longest text: the prefix and the base64 of far more bytes than a signing key needs.</summary>
    public const int SecretMaxLength = 200;

    /// <summary>The config's rules for a channel of <paramref name="kind"/>.</summary>
    public static void ValidConfig<T>(this AbstractValidator<T> validator, Func<T, ChannelKind?> kind, Func<T, ChannelConfigInput?> config)
    {
        validator.RuleFor(c => config(c)!.To)
            .Must(to => to is { Count: >= 1 and <= ChannelConfig.MaxAddresses })
            .WithMessage($"to must hold 1 to {ChannelConfig.MaxAddresses} addresses.")
            .Must(AllAddresses).WithMessage("Each address in to must be an e-mail address.")
            .OverridePropertyName("Config.To")
            .When(c => kind(c) == ChannelKind.Email && config(c) is not null);
        validator.RuleFor(c => config(c)!.Cc)
            .Must(cc => cc is null || cc.Count <= ChannelConfig.MaxAddresses)
            .WithMessage($"cc holds at most {ChannelConfig.MaxAddresses} addresses.")
            .Must(AllAddresses).WithMessage("Each address in cc must be an e-mail address.")
            .OverridePropertyName("Config.Cc")
            .When(c => kind(c) == ChannelKind.Email && config(c) is not null);
        validator.RuleFor(c => config(c)!.Url)
            .Must(IsHttpUrl).WithMessage($"url must be an absolute http or https URL of at most {ChannelConfig.UrlMaxLength} characters, without user:password@ in it.")
            .OverridePropertyName("Config.Url")
            .When(c => kind(c) is ChannelKind.Webhook or ChannelKind.Slack && config(c) is not null);
        validator.RuleFor(c => config(c)!.Secret)
            .Must(s => s is null || IsSecret(s))
            .WithMessage($"secret must be {SecretPrefix} followed by the base64 of at least {MinSecretBytes} bytes, at most {SecretMaxLength} characters in all.")
            .OverridePropertyName("Config.Secret")
            .When(c => kind(c) == ChannelKind.Webhook && config(c) is not null);
    }

    public static bool IsSecret(string secret)
    {
        if (secret.Length > SecretMaxLength || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var buffer = new byte[secret.Length];
        return Convert.TryFromBase64String(secret[SecretPrefix.Length..], buffer, out var written) && written >= MinSecretBytes;
    }

    private static bool AllAddresses(IReadOnlyList<string>? addresses) =>
        addresses is null || addresses.All(a => a.Length <= ChannelConfig.AddressMaxLength
            && MailAddress.TryCreate(a, out var parsed) && parsed.Address == a.Trim() && string.IsNullOrEmpty(parsed.DisplayName));

    private static bool IsHttpUrl(string? url) =>
        url is { Length: <= ChannelConfig.UrlMaxLength }
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.IsNullOrEmpty(uri.UserInfo);

    /// <summary>The stored config for a validated input.</summary>
    public static ChannelConfig ToConfig(this ChannelConfigInput input, ChannelKind kind) => kind == ChannelKind.Email
        ? ChannelConfig.Email([.. input.To!.Select(a => a.Trim())], input.Cc?.Select(a => a.Trim()).ToList())
        : ChannelConfig.ForUrl(input.Url!);

    /// <summary>A URL channel's host must not resolve into the networks the platform keeps away from (400 naming config.url).</summary>
    public static async Task ThrowIfRefusedAsync(this INotificationTargets targets, ChannelKind kind, ChannelConfigInput input, CancellationToken cancellationToken)
    {
        if (kind == ChannelKind.Email || input.Url is null)
        {
            return;
        }

        if (await targets.RefusalAsync(new Uri(input.Url), cancellationToken) is { } refusal)
        {
            throw new RequestValidationException("config.url", refusal);
        }
    }
}
