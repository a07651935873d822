using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>
/// A person's change to an alert that a sensor is folding events into at the same moment: the fold holds the row
/// (changed, locked) while the change reads the old version and then waits on the lock.
/// </summary>
public sealed class ConcurrentChangeTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] LateTag = ["late"];

    [Fact]
    public async Task A_change_without_if_match_that_meets_a_fold_in_flight_is_redone_on_the_folded_alert()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync();

        var response = await WhileAFoldHoldsTheRowAsync(alertId, () => admin.ChangeStatusAsync(alertId, "ACKNOWLEDGED", "seen"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var alert = await admin.AlertAsync(alertId);
        alert.GetProperty("status").GetString().Should().Be("ACKNOWLEDGED");
        alert.GetProperty("occurrences").GetInt32().Should().Be(2, "the fold's change is kept, not overwritten");
        alert.HistoryOf().Where(h => h.GetProperty("action").GetString() == "STATUS").Should().ContainSingle()
            .Which.GetProperty("note").GetString().Should().Be("seen");
    }

    [Fact]
    public async Task A_change_that_named_the_version_it_read_is_refused_when_a_fold_lands_first()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync();
        var read = (await admin.GetAsync(EventsApi.Alert(alertId))).Headers.ETag!;

        var response = await WhileAFoldHoldsTheRowAsync(alertId, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, TriageApi.Tags(alertId)) { Content = JsonContent.Create(new { tags = LateTag }) };
            request.Headers.IfMatch.Add(new EntityTagHeaderValue(read.Tag));
            return await admin.SendAsync(request);
        });

        await response.ShouldBeProblemAsync(409);
        var alert = await admin.AlertAsync(alertId);
        alert.TagList().Should().BeEmpty();
        alert.GetProperty("occurrences").GetInt32().Should().Be(2);
    }

    /// <summary>Begins a fold-like update of the alert's row, starts <paramref name="change"/>, waits until it queues on the row lock, commits.</summary>
    private async Task<HttpResponseMessage> WhileAFoldHoldsTheRowAsync(long alertId, Func<Task<HttpResponseMessage>> change)
    {
        await using var fold = new NpgsqlConnection(factory.ConnectionString);
        await fold.OpenAsync();
        await using var transaction = await fold.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE alerts SET occurrences = occurrences + 1 WHERE id = @id", fold, transaction))
        {
            update.Parameters.AddWithValue("id", alertId);
            (await update.ExecuteNonQueryAsync()).Should().Be(1);
        }

        var pending = change();
        await WaitUntilAnUpdateWaitsOnALockAsync(pending);
        await transaction.CommitAsync();
        return await pending;
    }

    private async Task WaitUntilAnUpdateWaitsOnALockAsync(Task<HttpResponseMessage> pending)
    {
        await using var watcher = new NpgsqlConnection(factory.ConnectionString);
        await watcher.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%UPDATE alerts%'
            """, watcher);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((long)(await waiting.ExecuteScalarAsync())! == 0)
        {
            if (pending.IsCompleted)
            {
                var early = await pending;
                throw new InvalidOperationException($"The change finished ({(int)early.StatusCode}) without waiting on the fold's lock.");
            }

            DateTime.UtcNow.Should().BeBefore(deadline, "the change should reach the alert's row lock");
            await Task.Delay(20);
        }
    }
}
