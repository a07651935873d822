using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;
using static ThreatPlatform.WebApi.IntegrationTests.Events.BatchApi;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>A failure in the middle of the commit leaves no partial batch. Own class: the trigger breaks this database.</summary>
public sealed class BatchAtomicityTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task When_raising_an_alert_fails_no_event_of_the_batch_is_stored()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = NewSource();
        await factory.RefuseAlertsFromAsync(source);

        var response = await client.PostArrayAsync(
            [Event(source, "LOW", externalId: "1"), Event(source, "MEDIUM"), Event(source, "CRITICAL"), Event(source, "LOW", externalId: "2")]);

        var problem = await response.ShouldBeProblemAsync(500);
        problem.GetRawText().Should().NotContain("test: alert insert refused", "no SQL detail leaks to the client");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(0);
    }

    [Fact]
    public async Task A_failed_batch_leaves_the_connection_usable_and_the_next_batch_is_stored_whole()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);
        var broken = NewSource();
        await factory.RefuseAlertsFromAsync(broken);
        for (var i = 0; i < 3; i++)
        {
            await (await client.PostArrayAsync([Event(broken, "HIGH")])).ShouldBeProblemAsync(500);
        }

        var source = NewSource();
        var answer = await (await client.PostArrayAsync([Event(source, "HIGH", externalId: "k"), Event(source, "LOW")])).ShouldBeBatchAnswerAsync();

        answer.Should().BeEquivalentTo(new { Accepted = 2, Duplicates = 0, AlertsCreated = 1 });
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == broken))).Should().Be(0);
    }
}
