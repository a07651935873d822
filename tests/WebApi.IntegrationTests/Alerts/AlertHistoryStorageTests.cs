using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>
/// One name per concept in the database: an alert's history entries (the wire's <c>history</c>) are rows of
/// <c>alert_history</c>; <c>alert_changes</c> is only the live stream's log.
/// </summary>
public sealed class AlertHistoryStorageTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_status_change_is_stored_as_a_row_of_alert_history_and_logged_for_the_stream_in_alert_changes()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync("CRITICAL");

        (await admin.ChangeStatusAsync(alertId, "ACKNOWLEDGED", "looking")).EnsureSuccessStatusCode();

        var stored = await factory.WithDbAsync(db => db.Database
            .SqlQuery<string>($"SELECT note AS \"Value\" FROM alert_history WHERE alert_id = {alertId}")
            .ToListAsync());
        stored.Should().Equal("looking");
        var logged = await factory.WithDbAsync(db => db.Database
            .SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM alert_changes WHERE alert_id = {alertId}")
            .SingleAsync());
        logged.Should().BePositive("the stream logs the alert's creation and its change");
        var oldTable = await factory.WithDbAsync(db => db.Database
            .SqlQuery<string?>($"SELECT to_regclass('alert_status_changes')::text AS \"Value\"")
            .SingleAsync());
        oldTable.Should().BeNull("the history has one table, named after it");
    }
}
