using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>The bulk save: a row changed by someone else since it was read loses only its own change.</summary>
public sealed class BulkConcurrencyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_conflicting_alert_is_answered_back_and_the_others_are_saved()
    {
        var admin = await factory.SeedUserAsync(UserRole.Admin);
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var contested = await client.RaiseAlertAsync();
        var free = await client.RaiseAlertAsync();
        var alsoFree = await client.RaiseAlertAsync();
        await using var bulkScope = factory.Services.CreateAsyncScope();
        await using var otherScope = factory.Services.CreateAsyncScope();
        var bulkDb = bulkScope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var otherDb = otherScope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        var ids = new[] { contested, free, alsoFree };
        var alerts = await bulkDb.Alerts.Where(a => ids.Contains(a.Id)).ToListAsync();
        var theirs = await otherDb.Alerts.SingleAsync(a => a.Id == contested);
        theirs.ReplaceTags(["theirs"], admin.Id, DateTimeOffset.UtcNow);
        await otherDb.SaveChangesAsync();

        alerts.ForEach(a => a.ReplaceTags(["bulk"], admin.Id, DateTimeOffset.UtcNow));
        var lost = await bulkDb.SaveChangesSkippingConflictsAsync();

        lost.Select(a => a.Id).Should().Equal(contested);
        var stored = await factory.WithDbAsync(db => db.Alerts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id));
        stored[contested].Tags.Should().Equal("theirs");
        stored[contested].History.Should().ContainSingle("the loser's history entry was not written");
        stored[free].Tags.Should().Equal("bulk");
        stored[alsoFree].Tags.Should().Equal("bulk");
    }
}
