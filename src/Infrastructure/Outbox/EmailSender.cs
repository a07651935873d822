using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>EMAIL channels through the SMTP server the Smtp__* settings name (MailKit), one connection per message.</summary>
internal sealed class EmailSender(IOptions<SmtpOptions> options) : IChannelSender
{
    public ChannelKind Kind => ChannelKind.Email;

    public async Task SendAsync(ChannelTarget channel, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            throw new DeliveryFailed("No SMTP server is configured (Smtp__Host).");
        }

        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var to in channel.Config.To ?? [])
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        if (message.ExtraRecipient is { } assignee && !(channel.Config.To ?? []).Contains(assignee, StringComparer.OrdinalIgnoreCase))
        {
            mail.To.Add(MailboxAddress.Parse(assignee));
        }

        foreach (var cc in channel.Config.Cc ?? [])
        {
            mail.Cc.Add(MailboxAddress.Parse(cc));
        }

        mail.Subject = message.Subject();
        mail.MessageId = $"notification-{message.Id}@threatplatform";
        mail.Body = new TextPart("plain") { Text = message.Text() };

        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        var security = smtp.Security switch
        {
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? string.Empty, cancellationToken);
        }

        await client.SendAsync(mail, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
    }
}
