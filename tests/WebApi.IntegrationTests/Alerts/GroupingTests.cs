using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>
/// Fingerprint grouping on real PostgreSQL: a grouping sensor's severe events fold into the collecting alert with
/// their (sensor, source, event_type, source_ip, destination_ip); single and batch ingest end with the same alerts.
/// </summary>
public sealed class GroupingTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    private static readonly DateTimeOffset Seen = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Events_with_one_fingerprint_fold_into_one_alert_that_counts_and_lists_them()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        var ids = new List<long>();
        foreach (var minutes in new[] { 10, 0, 5 })
        {
            var stored = await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH", occurredAt: Seen.AddMinutes(minutes)));
            ids.Add(stored.GetProperty("id").GetInt64());
        }

        var alertIds = await AlertIdsOfAsync(admin, ids);
        alertIds.Distinct().Should().ContainSingle("the three events share a fingerprint");
        var alert = await admin.AlertAsync(alertIds[0]);
        alert.GetProperty("occurrences").GetInt32().Should().Be(3);
        Time(alert, "first_seen_at").Should().Be(Seen);
        Time(alert, "last_seen_at").Should().Be(Seen.AddMinutes(10));
        alert.GetProperty("event").GetProperty("id").GetInt64().Should().Be(ids[0], "the first event raised it");

        var events = await admin.GetJsonAsync($"/api/alerts/{alertIds[0]}/events/?ordering=-occurred_at");
        events.GetProperty("count").GetInt32().Should().Be(3);
        events.Ids().Should().Equal(ids[0], ids[2], ids[1]);
        events.GetProperty("results").EnumerateArray().Should().OnlyContain(e => e.GetProperty("alert_id").GetInt64() == alertIds[0]);
    }

    [Fact]
    public async Task Any_part_of_the_fingerprint_that_differs_raises_its_own_alert()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var other = await factory.SensorWithKeyAsync(admin, sources: [sensor.Source + "-b"]);
        var base_ = Event(sensor.Source, "HIGH");

        var variants = new[]
        {
            base_,
            With(base_, "event_type", "brute_force"),
            With(base_, "source_ip", "198.51.100.1"),
            With(base_, "destination_ip", null),
            With(With(base_, "destination_ip", null), "source_ip", null),
        };
        var stored = new List<long>();
        foreach (var variant in variants)
        {
            stored.Add((await sensor.Client.IngestOkAsync(variant)).GetProperty("id").GetInt64());
        }

        stored.Add((await other.Client.IngestOkAsync(With(base_, "source", other.Source))).GetProperty("id").GetInt64());

        // Repeats of two of them (an absent address matches an absent one) fold into theirs.
        stored.Add((await sensor.Client.IngestOkAsync(With(base_, "destination_ip", null))).GetProperty("id").GetInt64());
        stored.Add((await sensor.Client.IngestOkAsync(With(With(base_, "destination_ip", null), "source_ip", null))).GetProperty("id").GetInt64());

        var alertIds = await AlertIdsOfAsync(admin, stored);
        alertIds.Take(6).Distinct().Should().HaveCount(6);
        alertIds[6].Should().Be(alertIds[3]);
        alertIds[7].Should().Be(alertIds[4]);
    }

    [Fact]
    public async Task A_closed_alert_collects_no_more_a_new_one_opens_and_reopening_does_not_collect_again()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var first = (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64();
        (await admin.ChangeStatusAsync(first, "RESOLVED")).EnsureSuccessStatusCode();

        var second = (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64();
        (await admin.ChangeStatusAsync(first, "OPEN")).EnsureSuccessStatusCode();
        var third = (await sensor.Client.IngestOkAsync(Event(sensor.Source, "CRITICAL"))).GetProperty("alert_id").GetInt64();

        second.Should().NotBe(first);
        third.Should().Be(second, "the newer alert collects; the reopened one does not");
        (await admin.AlertAsync(first)).GetProperty("occurrences").GetInt32().Should().Be(1);
        (await admin.AlertAsync(second)).GetProperty("occurrences").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task A_more_severe_event_escalates_the_alert_with_a_platform_history_entry_and_a_tighter_sla()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var alertId = (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64();
        var raised = await admin.AlertAsync(alertId);

        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        (await sensor.Client.IngestOkAsync(Event(sensor.Source, "CRITICAL"))).GetProperty("alert_id").GetInt64().Should().Be(alertId);
        (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64().Should().Be(alertId);

        var alert = await admin.AlertAsync(alertId);
        alert.GetProperty("severity").GetString().Should().Be("CRITICAL");
        alert.GetProperty("event").GetProperty("severity").GetString().Should().Be("HIGH", "the event that raised it stays as it was");
        var escalation = alert.HistoryOf().Should().ContainSingle().Subject;
        escalation.GetProperty("action").GetString().Should().Be("ESCALATED");
        escalation.GetProperty("from").GetString().Should().Be("HIGH");
        escalation.GetProperty("to").GetString().Should().Be("CRITICAL");
        escalation.GetProperty("changed_by").ValueKind.Should().Be(JsonValueKind.Null);
        var escalatedAt = Time(escalation, "changed_at");
        Time(alert, "ack_due_at").Should().Be(escalatedAt.AddMinutes(15), "CRITICAL's 15 minutes from the escalation come before HIGH's hour");
        Time(alert, "resolve_due_at").Should().Be(escalatedAt.AddHours(4));
        Time(raised, "ack_due_at").Should().Be(Time(raised, "created_at").AddHours(1));
    }

    [Fact]
    public async Task Events_posted_with_a_user_token_or_by_a_sensor_without_grouping_keep_one_alert_each()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = BatchApi.NewSource();
        var byUser = new[]
        {
            (await admin.IngestOkAsync(Event(source, "HIGH"))).GetProperty("alert_id").GetInt64(),
            (await admin.IngestOkAsync(Event(source, "HIGH"))).GetProperty("alert_id").GetInt64(),
        };
        var created = await admin.CreateSensorAsync(new { name = SensorsApi.NewName(), kind = "IDS", grouping = false });
        var sensorId = (await EventsApi.JsonAsync(created)).GetProperty("id").GetInt64();
        var key = (await admin.CreateKeyOkAsync(sensorId)).GetProperty("key").GetString()!;
        var sensor = new SensorWithKey(sensorId, [(await admin.GetJsonAsync(SensorsApi.Sensor(sensorId))).GetProperty("sources")[0].GetString()!], 0, key, factory.ClientWithKey(key));
        var bySensor = new[]
        {
            (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64(),
            (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64(),
        };
        var batch = await (await sensor.Client.PostBatchAsync(Event(sensor.Source, "HIGH"), Event(sensor.Source, "HIGH"))).ShouldBeBatchAnswerAsync();

        byUser.Distinct().Should().HaveCount(2);
        bySensor.Distinct().Should().HaveCount(2);
        batch.AlertsCreated.Should().Be(2);
    }

    [Fact]
    public async Task Events_with_one_fingerprint_arriving_at_once_end_as_one_alert()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);

        // The first raise is held open: its alert is written but not committed, so every event below finds no collecting
        // alert and raises its own. Only the unique index on collecting fingerprints makes them wait for the first and
        // fold into it; without it they commit alerts of their own, every time.
        var (firstAlertId, answers) = await WhileTheFirstRaiseIsOpenAsync(sensor.SensorId, sensor.Source, () =>
        {
            var singles = Enumerable.Range(0, 12).Select(_ => sensor.Client.IngestAsync(Event(sensor.Source, "HIGH")));
            var batches = Enumerable.Range(0, 4).Select(_ => sensor.Client.PostBatchAsync(Event(sensor.Source, "CRITICAL"), Event(sensor.Source, "HIGH")));
            return Task.WhenAll(singles.Concat(batches));
        });

        foreach (var answer in answers)
        {
            ((int)answer.StatusCode).Should().BeOneOf([200, 201], await answer.Content.ReadAsStringAsync());
        }

        var alerts = await factory.WithDbAsync(db => db.Alerts.Where(a => a.Source == sensor.Source)
            .Select(a => new { a.Id, a.Occurrences, a.Severity, Escalations = a.History.Count(h => h.Action == Domain.Alerts.AlertHistoryAction.Escalated) })
            .ToListAsync());
        var alert = alerts.Should().ContainSingle("a unique index keeps one collecting alert per fingerprint").Subject;
        alert.Id.Should().Be(firstAlertId);
        alert.Occurrences.Should().Be(21);
        alert.Severity.Should().Be(Domain.SecurityEvents.Severity.Critical);
        alert.Escalations.Should().BeLessThanOrEqualTo(1);
        var folded = await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == sensor.Source && e.FoldedIntoAlertId == firstAlertId));
        folded.Should().Be(20, "every event but the one that raised the alert names it");
    }

    [Fact]
    public async Task Single_and_batch_ingest_of_the_same_events_give_the_same_alerts()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var single = await factory.SensorWithKeyAsync(admin);
        var batch = await factory.SensorWithKeyAsync(admin);

        // Two rounds: the second folds into what the first left open (one of them closed in between).
        List<Dictionary<string, object?>> Round(string source, int round) =>
        [
            Event(source, "HIGH", occurredAt: Seen.AddMinutes(round * 10 + 3), description: $"first of A, round {round}"),
            Event(source, "LOW", occurredAt: Seen.AddMinutes(round * 10)),
            With(Event(source, "CRITICAL", occurredAt: Seen.AddMinutes(round * 10 + 1)), "event_type", "brute_force"),
            Event(source, "CRITICAL", occurredAt: Seen.AddMinutes(round * 10 + 5)),
            With(Event(source, "HIGH", occurredAt: Seen.AddMinutes(round * 10 + 2)), "destination_ip", null),
            Event(source, "HIGH", occurredAt: Seen.AddMinutes(round * 10 - 4)),
            With(Event(source, "HIGH", occurredAt: Seen.AddMinutes(round * 10 + 7)), "event_type", "brute_force"),
        ];

        foreach (var round in new[] { 0, 1 })
        {
            foreach (var item in Round(single.Source, round))
            {
                await single.Client.IngestOkAsync(item);
            }

            (await batch.Client.PostArrayAsync(Round(batch.Source, round))).EnsureSuccessStatusCode();
            if (round == 0)
            {
                await CloseBruteForceAsync(admin, single.Source);
                await CloseBruteForceAsync(admin, batch.Source);
            }

            factory.Clock.Advance(TimeSpan.FromMinutes(3));
        }

        var fromSingle = await AlertsOfAsync(single.Source);
        var fromBatch = await AlertsOfAsync(batch.Source);
        fromSingle.Should().HaveCount(4, "A folds both rounds; brute_force closed after round 0 opens again; the no-destination one folds");
        fromBatch.Should().BeEquivalentTo(fromSingle, options => options.WithStrictOrdering());
    }

    [Fact]
    public async Task Alerts_order_by_occurrences_and_last_seen_and_an_unknown_alert_has_no_events()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        (await sensor.Client.PostArrayAsync(
        [
            Event(sensor.Source, "HIGH", occurredAt: Seen), Event(sensor.Source, "HIGH", occurredAt: Seen.AddMinutes(1)),
            Event(sensor.Source, "HIGH", occurredAt: Seen.AddMinutes(2)),
            With(Event(sensor.Source, "HIGH", occurredAt: Seen.AddHours(1)), "event_type", "rare"),
        ])).EnsureSuccessStatusCode();

        var busiest = await admin.GetJsonAsync($"/api/alerts/?event__source={sensor.Source}&ordering=-occurrences");
        var latest = await admin.GetJsonAsync($"/api/alerts/?event__source={sensor.Source}&ordering=-last_seen_at");
        busiest.GetProperty("results").EnumerateArray().Select(a => a.GetProperty("occurrences").GetInt32()).Should().Equal(3, 1);
        latest.GetProperty("results").EnumerateArray().Select(a => a.GetProperty("event").GetProperty("event_type").GetString()).Should().Equal("rare", "port_scan");
        (await admin.GetAsync(new Uri("/api/alerts/999999999/events/", UriKind.Relative))).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
    }

    /// <summary>
    /// Raises the collecting alert of the sensor's fingerprint (its event and alert rows, as a raise writes them) in a
    /// transaction of its own, starts <paramref name="ingest"/>, waits until one of its requests queues on a lock, then
    /// commits the raise.
    /// </summary>
    private async Task<(long AlertId, T Result)> WhileTheFirstRaiseIsOpenAsync<T>(long sensorId, string source, Func<Task<T>> ingest)
    {
        var fingerprint = Event(source, "HIGH");
        await using var raise = new NpgsqlConnection(factory.ConnectionString);
        await raise.OpenAsync();
        await using var transaction = await raise.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand(
            """
            WITH e AS (
                INSERT INTO events (source, event_type, severity, description, occurred_at, "timestamp", source_ip, destination_ip, sensor_id)
                VALUES (@source, @event_type, 3, 'the first raise', now(), now(), @source_ip::inet, @destination_ip::inet, @sensor_id)
                RETURNING id, severity, source, event_type, description, occurred_at, "timestamp", source_ip, destination_ip, sensor_id)
            INSERT INTO alerts (event_id, status, severity, source, event_type, description, created_at, updated_at,
                                source_ip, destination_ip, sensor_id, folds_events, occurrences, first_seen_at, last_seen_at)
            SELECT id, 1, severity, source, event_type, description, "timestamp", "timestamp",
                   source_ip, destination_ip, sensor_id, true, 1, occurred_at, occurred_at FROM e
            RETURNING id
            """, raise, transaction);
        insert.Parameters.AddWithValue("source", source);
        insert.Parameters.AddWithValue("event_type", (string)fingerprint["event_type"]!);
        insert.Parameters.AddWithValue("source_ip", (string)fingerprint["source_ip"]!);
        insert.Parameters.AddWithValue("destination_ip", (string)fingerprint["destination_ip"]!);
        insert.Parameters.AddWithValue("sensor_id", sensorId);
        var alertId = (long)(await insert.ExecuteScalarAsync())!;

        var pending = ingest();
        await using (var watcher = new NpgsqlConnection(factory.ConnectionString))
        {
            await watcher.OpenAsync();
            await using var waiting = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", watcher);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((long)(await waiting.ExecuteScalarAsync())! == 0)
            {
                pending.IsCompleted.Should().BeFalse("with the first raise open, a second raise of its fingerprint waits for it (the unique index)");
                DateTime.UtcNow.Should().BeBefore(deadline, "the ingest should reach the open raise's index entry");
                await Task.Delay(20);
            }
        }

        await transaction.CommitAsync();
        return (alertId, await pending);
    }

    private static Dictionary<string, object?> Event(string source, string severity, DateTimeOffset? occurredAt = null, string? description = null)
    {
        var body = BatchApi.Event(source, severity, externalId: Guid.NewGuid().ToString("N"));
        body["occurred_at"] = (occurredAt ?? Seen).ToString("O", CultureInfo.InvariantCulture);
        body["description"] = description ?? $"{severity} probe";

        return body;
    }

    private static Dictionary<string, object?> With(Dictionary<string, object?> body, string field, object? value) =>
        new(body) { [field] = value, ["external_id"] = Guid.NewGuid().ToString("N") };

    private static DateTimeOffset Time(JsonElement element, string property) =>
        DateTimeOffset.Parse(element.GetProperty(property).GetString()!, CultureInfo.InvariantCulture);

    private static async Task<List<long>> AlertIdsOfAsync(HttpClient client, IEnumerable<long> eventIds)
    {
        var alertIds = new List<long>();
        foreach (var id in eventIds)
        {
            alertIds.Add((await client.GetJsonAsync(EventsApi.Event(id))).GetProperty("alert_id").GetInt64());
        }

        return alertIds;
    }

    private static async Task CloseBruteForceAsync(HttpClient admin, string source)
    {
        var open = await admin.GetJsonAsync($"/api/alerts/?event__source={source}&event__event_type=brute_force");
        (await admin.ChangeStatusAsync(open.Ids().Should().ContainSingle().Subject, "RESOLVED")).EnsureSuccessStatusCode();
    }

    /// <summary>What a grouping decision shapes, per alert, in the order they were raised (ids and sources aside).</summary>
    private Task<List<object>> AlertsOfAsync(string source) => factory.WithDbAsync(async db =>
    {
        var alerts = await db.Alerts.AsNoTracking()
            .Where(a => a.Source == source)
            .OrderBy(a => a.EventId)
            .Select(a => new
            {
                a.Id,
                a.EventType,
                a.Description,
                a.Severity,
                a.Status,
                a.Occurrences,
                a.FirstSeenAt,
                a.LastSeenAt,
                a.FoldsEvents,
                a.CreatedAt,
                a.AckDueAt,
                a.ResolveDueAt,
                DestinationIp = a.DestinationIp == null ? null : a.DestinationIp.ToString(),
                Raiser = a.Event.OccurredAt,
                History = a.History.OrderBy(h => h.Id).Select(h => new { h.Action, h.FromSeverity, h.ToSeverity, h.FromStatus, h.ToStatus }).ToList(),
            })
            .ToListAsync();
        var folded = await db.Events.AsNoTracking()
            .Where(e => e.Source == source && e.FoldedIntoAlertId != null)
            .GroupBy(e => e.FoldedIntoAlertId!.Value)
            .Select(g => new { AlertId = g.Key, Times = g.Select(e => e.OccurredAt).OrderBy(t => t).ToList() })
            .ToDictionaryAsync(g => g.AlertId, g => g.Times);
        return alerts.Select(a => (object)new
        {
            a.EventType,
            a.Description,
            a.Severity,
            a.Status,
            a.Occurrences,
            a.FirstSeenAt,
            a.LastSeenAt,
            a.FoldsEvents,
            a.CreatedAt,
            a.AckDueAt,
            a.ResolveDueAt,
            a.DestinationIp,
            a.Raiser,
            History = a.History.Select(h => $"{h.Action}:{h.FromSeverity}->{h.ToSeverity}:{h.FromStatus}->{h.ToStatus}").ToList(),
            Folded = folded.GetValueOrDefault(a.Id) ?? [],
        }).ToList();
    });

    [Fact]
    public async Task Turning_grouping_off_reaches_the_sensors_cached_key()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var collecting = (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64();
        (await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64().Should().Be(collecting, "the key is cached with grouping on");

        (await admin.PatchJsonAsync(SensorsApi.Sensor(sensor.SensorId), new { grouping = false })).EnsureSuccessStatusCode();

        var started = System.Diagnostics.Stopwatch.StartNew();
        while ((await sensor.Client.IngestOkAsync(Event(sensor.Source, "HIGH"))).GetProperty("alert_id").GetInt64() == collecting)
        {
            started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "the sensors trigger notifies the key cache when grouping changes");
            await Task.Delay(50);
        }
    }
}
