using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>
/// WEBHOOK and SLACK channels over one guarded HttpClient (<see cref="NotificationHttp"/>). A webhook is signed as the
/// Standard Webhooks specification says: <c>webhook-id</c>, <c>webhook-timestamp</c> (Unix seconds) and
/// <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of "id.timestamp.body"&gt;</c> keyed with the secret's decoded bytes.
/// </summary>
internal sealed class WebhookSender(NotificationHttp http, IOptions<JsonOptions> json, TimeProvider clock) : IChannelSender
{
    public ChannelKind Kind => ChannelKind.Webhook;

    public async Task SendAsync(ChannelTarget channel, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var timestamp = clock.GetUtcNow();
        var body = JsonSerializer.Serialize(Payload(message, timestamp), json.Value.SerializerOptions);
        var unix = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Config.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", message.Id);
        request.Headers.Add("webhook-timestamp", unix);
        request.Headers.Add("webhook-signature", Sign(channel.Secret ?? throw new DeliveryFailed("The channel has no signing secret."), message.Id, unix, body));
        await http.SendAsync(request, cancellationToken);
    }

    public static string Sign(string secret, string id, string timestamp, string body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signature = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(signature);
    }

    private static object Payload(OutgoingMessage message, DateTimeOffset timestamp)
    {
        if (message.IsDigest)
        {
            return new
            {
                Type = "alert.digest",
                Timestamp = timestamp,
                Data = new { Event = message.Event, Alerts = message.Alerts, Urls = message.Alerts.Select(message.AlertUrl).ToList() },
            };
        }

        var alert = message.Alerts.Count > 0 ? message.Alerts[0] : null;
        return new
        {
            Type = message.Event,
            Timestamp = timestamp,
            Data = new { Alert = alert, Url = alert is null ? null : message.AlertUrl(alert) },
        };
    }
}

/// <summary>A Slack-compatible incoming webhook (Mattermost and Rocket.Chat take the same): <c>{text, blocks}</c>.</summary>
internal sealed class SlackSender(NotificationHttp http) : IChannelSender
{
    public ChannelKind Kind => ChannelKind.Slack;

    public async Task SendAsync(ChannelTarget channel, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var text = message.Subject();
        var payload = new
        {
            text,
            blocks = new object[]
            {
                new { type = "header", text = new { type = "plain_text", text = Shorten(text, 150) } },
                new { type = "section", text = new { type = "mrkdwn", text = Shorten(message.Text(), 3000) } },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Config.Url)
        {
            Content = new StringContent(JsonSerializer.Serialize(payload), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        await http.SendAsync(request, cancellationToken);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

/// <summary>
/// The HttpClient notifications go out on: every connection through <see cref="NetworkGuard.ConnectAsync"/> (the
/// address actually dialled is checked), no redirects, no proxy, a time-out, and at most 4 KiB of a response read
/// (for the error message of a refusal).
/// </summary>
internal sealed class NotificationHttp : IDisposable
{
    private const int MaxResponseBytes = 4 * 1024;
    private readonly HttpClient _client;

    public NotificationHttp(NetworkGuard guard, IOptions<NotificationOptions> options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(5, options.Value.RequestTimeoutSeconds)),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxResponseHeadersLength = 64,
            ConnectCallback = guard.ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds) };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("ThreatPlatform-Notifications/1.2");
    }

    public async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var start = await ReadStartAsync(response, cancellationToken);
        throw new DeliveryFailed($"The receiver answered {(int)response.StatusCode}{(start.Length > 0 ? ": " + start : string.Empty)}");
    }

    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read).Trim();
    }

    public void Dispose() => _client.Dispose();
}
