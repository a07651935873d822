using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Notifications;

/// <summary>
/// The API with notifications aimed at the test's own receivers on 127.0.0.1 (allowed: the guard refuses loopback
/// otherwise), a dispatcher that polls every second as well, retries a second apart, and the SMTP server of the test.
/// </summary>
public class NotificationsApiFactory : ApiFactory
{
    public NotificationsApiFactory()
    {
    }

    private NotificationsApiFactory(NotificationsApiFactory first)
        : base(first.ConnectionString)
    {
        SmtpPort = first.SmtpPort;
    }

    /// <summary>Where the test's SMTP server listens (0: none).</summary>
    public int SmtpPort { get; set; }

    /// <summary>Attempts before DEAD (the default 10 makes a DEAD test long).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Set by <see cref="WithFakeClock"/>: the clock the dispatcher runs on.</summary>
    public FakeTimeProvider? Clock { get; private set; }

    public NotificationsApiFactory WithFakeClock()
    {
        Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        return this;
    }

    /// <summary>A second API host (replica) on this one's database, with the same settings.</summary>
    public NotificationsApiFactory SecondHost() => new(this);

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Notifications:AllowedNetworks:0", "127.0.0.1/32");
        builder.UseSetting("Notifications:PollSeconds", "1");
        builder.UseSetting("Notifications:BackoffBaseSeconds", "1");
        builder.UseSetting("Notifications:BackoffMaxSeconds", "2");
        builder.UseSetting("Notifications:SlaSweepSeconds", "1");
        builder.UseSetting("Notifications:MaxAttempts", MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Console:PublicUrl", "https://soc.example.org");
        builder.UseSetting("Smtp:Host", "127.0.0.1");
        builder.UseSetting("Smtp:Port", SmtpPort == 0 ? "25" : SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Smtp:Security", "None");
        builder.UseSetting("Smtp:From", "soc@example.org");
        if (Clock is { } clock)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }
}
