using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>The event and its alert are one transaction: when the alert cannot be written, the event is not kept either.</summary>
public sealed class OneTransactionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task When_the_alert_insert_fails_the_event_is_not_stored_either()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"doomed-{Guid.NewGuid():N}"[..15];
        await factory.RefuseAlertsFromAsync(source);

        var response = await analyst.IngestAsync(EventsApi.NewEvent("CRITICAL", source));

        var problem = await response.ShouldBeProblemAsync(500);
        problem.GetRawText().Should().NotContain("alert insert refused", "no SQL error text reaches the client");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
    }

    [Fact]
    public async Task The_same_database_stores_events_whose_alert_is_allowed()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"fine-{Guid.NewGuid():N}"[..13];

        await analyst.IngestOkAsync(EventsApi.NewEvent("CRITICAL", source));

        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(1);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(1);
    }
}
