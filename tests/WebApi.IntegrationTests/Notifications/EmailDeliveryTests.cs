using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Alerts;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>The API with a real SMTP server process of its own (aiosmtpd), started before the host.</summary>
public sealed class SmtpApiFactory : NotificationsApiFactory, IAsyncLifetime
{
    public SmtpReceiver Smtp { get; private set; } = null!;

    public new async Task InitializeAsync()
    {
        Smtp = await SmtpReceiver.StartAsync();
        SmtpPort = Smtp.Port;
        await base.InitializeAsync();
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class EmailDeliveryTests(SmtpApiFactory factory) : IClassFixture<SmtpApiFactory>
{
    [Fact]
    public async Task A_critical_alert_is_mailed_with_the_subject_api_md_gives()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NotificationsApi.NewName("mailed");
        var channel = await admin.CreateChannelOkAsync("EMAIL", new { to = NotificationsApi.Of("oncall@example.org"), cc = NotificationsApi.Of("lead@example.org") });
        await admin.CreateRuleOkAsync([channel.GetProperty("id").GetInt64()], source);

        var alert = await admin.RaiseAlertAsync("CRITICAL", source, "ransomware");

        var mail = (await NotificationsApi.EventuallyAsync(
            () => Task.FromResult(factory.Smtp.Messages().Where(m => m.Contains($"(alert #{alert})", StringComparison.Ordinal)).ToList()),
            m => m.Count == 1,
            "the mail arrives at the SMTP server")).Single();
        mail.Should().Contain($"Subject: [CRITICAL] ransomware on {source} (alert #{alert})");
        mail.Should().Contain("To: oncall@example.org").And.Contain("Cc: lead@example.org").And.Contain("From: soc@example.org");
        mail.Should().Contain($"https://soc.example.org/alerts/{alert}");
    }

    [Fact]
    public async Task An_assignment_mails_the_assignee_too()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NotificationsApi.NewName("assigned");
        var channel = await admin.CreateChannelOkAsync("EMAIL", new { to = NotificationsApi.Of("oncall@example.org") });
        await admin.CreateRuleOkAsync([channel.GetProperty("id").GetInt64()], source, ["alert.assigned"]);
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);
        var alert = await admin.RaiseAlertAsync("HIGH", source);

        ((int)(await admin.AssignAsync(alert, analyst.Id)).StatusCode).Should().Be(200);

        var mail = (await NotificationsApi.EventuallyAsync(
            () => Task.FromResult(factory.Smtp.Messages().Where(m => m.Contains($"(alert #{alert})", StringComparison.Ordinal)).ToList()),
            m => m.Count == 1,
            "the assignment mail arrives")).Single();
        mail.Should().Contain(analyst.Email).And.Contain("oncall@example.org").And.Contain("alert.assigned");
    }
}
