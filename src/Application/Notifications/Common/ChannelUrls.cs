using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Application.Notifications.Common;

/// <summary>
/// How a channel's URL is shown. A Slack-compatible incoming-webhook URL is itself the credential (whoever has it can
/// post into the channel), so answers show only its scheme and host: <c>https://hooks.slack.com/…</c>. A WEBHOOK is
/// authenticated by its signature, but receivers often take a token in the query string, so its query is shown as
/// <c>?…</c>; a URL with user information is refused at creation. A PATCH whose config leaves <c>url</c> out, or sends
/// back the shown form, keeps the stored URL.
/// </summary>
public static class ChannelUrls
{
    public const string Elided = "…";

    public static string? Shown(ChannelKind kind, string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return url;
        }

        var origin = uri.GetLeftPart(UriPartial.Authority);
        return kind switch
        {
            ChannelKind.Slack => $"{origin}/{Elided}",
            ChannelKind.Webhook when uri.Query.Length > 1 || uri.Fragment.Length > 1 => $"{origin}{uri.AbsolutePath}?{Elided}",
            _ => url,
        };
    }

    /// <summary>True when <paramref name="given"/> is absent or is the shown form of <paramref name="stored"/>: keep the stored URL.</summary>
    public static bool KeepsStored(ChannelKind kind, string? given, string? stored) =>
        stored is not null && (given is null || (given != stored && given == Shown(kind, stored)));
}
