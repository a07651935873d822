using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;
using static ThreatPlatform.WebApi.IntegrationTests.Events.BatchApi;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>
/// A batch longer than one chunk is written chunk by chunk in one transaction (the database stores a chunk while the API
/// prepares the next): the answer and what is stored are those of one statement over the whole batch.
/// </summary>
public sealed class BatchChunkTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Seen = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_fingerprint_spread_over_several_chunks_folds_into_one_alert_that_escalates_once()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var chunk = IngestEventBatchCommandHandler.ChunkItems;
        var count = (2 * chunk) + 50;
        var items = Enumerable.Range(0, count).Select(i => Item(sensor.Source, "LOW", $"k-{i}", Seen.AddSeconds(i))).ToList();
        items[0] = Item(sensor.Source, "HIGH", "k-0", Seen);                                    // raises the alert
        items[chunk + 50] = Item(sensor.Source, "HIGH", "k-h", Seen.AddSeconds(chunk + 50));        // folds into it
        items[(2 * chunk) + 20] = Item(sensor.Source, "CRITICAL", "k-c", Seen.AddSeconds(-60));  // folds, escalates, seen first
        items[chunk + 10] = items[10];                                                            // a repeat: a duplicate
        items[(2 * chunk) + 30] = Item(sensor.Source, "MEDIUM", "k-20", Seen);                    // k-20 with other content

        var answer = await (await sensor.Client.PostArrayAsync(items)).ShouldBeBatchAnswerAsync();

        answer.Accepted.Should().Be(count - 2);
        answer.Duplicates.Should().Be(1);
        var conflict = answer.Rejected.Should().ContainSingle().Subject;
        conflict.Index.Should().Be((2 * chunk) + 30, "k-20 was stored by the first chunk with other content");
        conflict.Errors.Keys.Should().Equal("external_id");
        answer.AlertsCreated.Should().Be(1);
        var (alert, escalations, folded) = await factory.WithDbAsync(async db =>
        {
            var alert = await db.Alerts.AsNoTracking().Include(a => a.History).SingleAsync(a => a.Source == sensor.Source);
            var folded = await db.Events.CountAsync(e => e.Source == sensor.Source && e.FoldedIntoAlertId == alert.Id);
            return (alert, alert.History.Count(h => h.Action == AlertHistoryAction.Escalated), folded);
        });
        alert.Occurrences.Should().Be(3);
        alert.Severity.Should().Be(Severity.Critical);
        alert.FirstSeenAt.Should().Be(Seen.AddSeconds(-60));
        alert.LastSeenAt.Should().Be(Seen.AddSeconds(chunk + 50));
        escalations.Should().Be(1);
        folded.Should().Be(2, "the two later severe events name the alert the first one raised");
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == sensor.Source))).Should().Be(count - 2);
    }

    private static Dictionary<string, object?> Item(string source, string severity, string externalId, DateTimeOffset occurredAt)
    {
        var body = Event(source, severity, externalId);
        body["occurred_at"] = occurredAt.ToString("O", CultureInfo.InvariantCulture);
        return body;
    }
}
