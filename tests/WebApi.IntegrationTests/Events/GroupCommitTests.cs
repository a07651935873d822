using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence.GroupCommit;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Rules;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Events;

/// <summary>
/// Group commit of single ingest: concurrent POST /api/events/ requests share one transaction through the batch writer,
/// each answered with its own result. One writer here, so that while a test holds the events table locked the first
/// request's group waits in PostgreSQL and every later request queues for the next group.
/// </summary>
public sealed class GroupCommitTests(GroupCommitTests.OneWriterFactory factory) : IClassFixture<GroupCommitTests.OneWriterFactory>
{
    public sealed class OneWriterFactory : ApiFactory
    {
        protected override void ConfigureTestServices(IWebHostBuilder builder)
        {
            builder.UseSetting("GroupCommit:Writers", "1");
            builder.UseSetting("GroupCommit:LingerMicroseconds", "0");
        }
    }

    private EventGroupWriter Writer => factory.Services.GetRequiredService<EventGroupWriter>();

    [Fact]
    public async Task Single_requests_sent_at_once_store_and_answer_what_one_batch_of_the_same_events_does()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var marker = RulesApi.Marker();
        await admin.CreateRuleOkAsync(MarkerRule(marker));
        var foreign = await factory.SensorWithKeyAsync(admin);
        var single = await factory.SensorWithKeyAsync(admin);
        var batch = await factory.SensorWithKeyAsync(admin);
        var singleSource = single.Sources[0];
        var batchSource = batch.Sources[0];

        await single.Client.IngestOkAsync(Seed(singleSource));
        (await batch.Client.PostArrayAsync([Seed(batchSource)])).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        var singleItems = Scenario(singleSource, foreign.Sources[0], marker);
        var batchItems = Scenario(batchSource, foreign.Sources[0], marker);

        var responses = await Task.WhenAll(singleItems.Select(item => single.Client.IngestAsync(item)));
        var batchAnswer = await (await batch.Client.PostArrayAsync(batchItems)).ShouldBeBatchAnswerAsync();

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        statuses.Count(s => s == 201).Should().Be(batchAnswer.Accepted, string.Join(",", statuses));
        statuses.Count(s => s == 200).Should().Be(batchAnswer.Duplicates);
        RejectedBySingle(statuses).Should().BeEquivalentTo(
            batchAnswer.Rejected.ToDictionary(r => r.Index, r => string.Join(",", r.Errors.Keys.Order(StringComparer.Ordinal))));
        (await StoredEventsAsync(singleSource)).Should().Equal(await StoredEventsAsync(batchSource));
        (await StoredAlertsAsync(singleSource)).Should().Equal(await StoredAlertsAsync(batchSource));
        foreach (var created in responses.Where(r => (int)r.StatusCode == 201))
        {
            var answered = await EventsApi.JsonAsync(created);
            var stored = await admin.GetJsonAsync(EventsApi.Event(answered.GetProperty("id").GetInt64()));
            answered.GetProperty("alert_id").ToString().Should().Be(stored.GetProperty("alert_id").ToString(), "an answer names the alert as a read does");
            created.Headers.Location!.ToString().Should().EndWith($"/api/events/{answered.GetProperty("id").GetInt64()}/");
        }
    }

    [Fact]
    public async Task Requests_one_after_another_are_each_written_on_their_own_through_the_domain_not_as_groups()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var (groups, alone) = (Writer.Groups, Writer.Alone);

        var answers = new List<System.Text.Json.JsonElement>();
        foreach (var severity in new[] { "LOW", "CRITICAL", "HIGH" })
        {
            answers.Add(await analyst.IngestOkAsync(BatchApi.Event(source, severity)));
        }

        (Writer.Alone - alone).Should().Be(3, "one connection has nothing to group: each request writes its own event");
        (Writer.Groups - groups).Should().Be(0);
        answers[0].GetProperty("alert_id").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "a LOW event raises no alert");
        answers[1].GetProperty("alert_id").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Number, "the EventIngested handler raised the CRITICAL event's alert");
        (await TransactionsThatWroteAsync(source)).Should().Be(3);
    }

    [Fact]
    public async Task Requests_that_arrive_while_the_writer_is_busy_share_one_transaction()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();

        var (first, queued) = await WhileTheWriterIsHeldAsync(
            () => analyst.IngestAsync(BatchApi.Event(source)),
            Enumerable.Range(0, 7).Select(_ => (Func<Task<HttpResponseMessage>>)(() => analyst.IngestAsync(BatchApi.Event(source)))).ToList());

        ((int)first.StatusCode).Should().Be(201);
        queued.Select(r => (int)r.StatusCode).Should().AllBeEquivalentTo(201);
        (await TransactionsThatWroteAsync(source)).Should().Be(2, "the first request wrote alone; the seven that queued behind it, together");
    }

    [Fact]
    public async Task A_failing_event_in_a_group_fails_alone_and_the_others_get_their_own_answers()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var doomed = $"doomed-{Guid.NewGuid():N}"[..15];
        await factory.RefuseAlertsFromAsync(doomed);
        var stored = BatchApi.Event(source, externalId: "stored-1");
        await analyst.IngestOkAsync(stored);
        var conflicting = BatchApi.Event(source, externalId: "stored-1");
        conflicting["description"] = "something else";
        Func<Task<HttpResponseMessage>> Send(object body) => () => analyst.IngestAsync(body);

        var (_, queued) = await WhileTheWriterIsHeldAsync(
            Send(BatchApi.Event(source)),
            [
                Send(BatchApi.Event(source)),
                Send(BatchApi.Event(doomed, "CRITICAL")),
                Send(BatchApi.Event(source, externalId: "twice")),
                Send(BatchApi.Event(source, externalId: "twice")),
                Send(stored),
                Send(conflicting),
                Send(BatchApi.Event(source, "HIGH")),
            ]);

        var statuses = queued.Select(r => (int)r.StatusCode).ToList();
        statuses[0].Should().Be(201);
        statuses[1].Should().Be(500, "the event whose alert the database refuses fails");
        statuses.Skip(2).Take(2).Should().BeEquivalentTo([201, 200], "two equal events with one key: the first stored, the second its repeat");
        statuses[4].Should().Be(200);
        (await queued[5].ShouldBeProblemAsync(409)).GetRawText().Should().Contain("idempotency_conflict");
        statuses[6].Should().Be(201);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == doomed))).Should().Be(0);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(5);
        (await factory.WithDbAsync(db => db.Alerts.CountAsync(a => a.Source == source))).Should().Be(1);
    }

    [Fact]
    public async Task An_aborted_request_neither_breaks_its_group_nor_leaves_a_transaction_open()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        using var abort = new CancellationTokenSource();
        var withdrawn = BatchApi.Event(source, externalId: "withdrawn");
        HttpResponseMessage? aborted = null;

        var (first, queued) = await WhileTheWriterIsHeldAsync(
            () => analyst.IngestAsync(BatchApi.Event(source)),
            [
                () => analyst.IngestAsync(BatchApi.Event(source)),
                async () =>
                {
                    try
                    {
                        aborted = await analyst.PostAsync(EventsApi.Events, JsonContent.Create(withdrawn), abort.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    return new HttpResponseMessage(System.Net.HttpStatusCode.NoContent);
                },
                () => analyst.IngestAsync(BatchApi.Event(source)),
            ],
            beforeRelease: async () =>
            {
                await abort.CancelAsync();
                await WaitUntilAsync(() => Task.FromResult(Writer.Queued == 2), "the aborted request's event leaves the queue");
            });

        aborted.Should().BeNull("the client gave up on it");
        ((int)first.StatusCode).Should().Be(201);
        ((int)queued[0].StatusCode).Should().Be(201);
        ((int)queued[2].StatusCode).Should().Be(201);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(3, "the withdrawn event was never written");
        (await IdleInTransactionAsync()).Should().Be(0);
    }

    /// <summary>
    /// Holds the events table locked; sends <paramref name="first"/> and waits until it is being written (on its own: no
    /// group was forming; it then waits for the lock in PostgreSQL);
    /// sends the others (in order) and waits until all of them are queued; then releases the lock and collects answers.
    /// </summary>
    private async Task<(HttpResponseMessage First, HttpResponseMessage[] Queued)> WhileTheWriterIsHeldAsync(
        Func<Task<HttpResponseMessage>> first,
        IReadOnlyList<Func<Task<HttpResponseMessage>>> queued,
        Func<Task>? beforeRelease = null)
    {
        Task<HttpResponseMessage> firstSent;
        var queuedSent = new List<Task<HttpResponseMessage>>();
        await using (var holder = new NpgsqlConnection(factory.ConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockEvents = new NpgsqlCommand("LOCK TABLE events IN SHARE MODE", holder, transaction))
            {
                await lockEvents.ExecuteNonQueryAsync();
            }

            var writesBefore = Writer.Groups + Writer.Alone;
            firstSent = first();
            await WaitUntilAsync(() => Task.FromResult(Writer.Groups + Writer.Alone > writesBefore), "the first request is being written");
            foreach (var send in queued)
            {
                var count = queuedSent.Count + 1;
                queuedSent.Add(send());
                await WaitUntilAsync(() => Task.FromResult(Writer.Queued == count), $"request {count} is queued");
            }

            if (beforeRelease is not null)
            {
                await beforeRelease();
            }

            await transaction.RollbackAsync();
        }

        return (await firstSent, await Task.WhenAll(queuedSent));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"{what} (waited 60 s)");
            await Task.Delay(20);
        }
    }

    private Task<long> IdleInTransactionAsync() => ScalarAsync(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'");

    /// <summary>How many transactions wrote the events of <paramref name="source"/> (rows a transaction wrote share its xmin).</summary>
    private async Task<long> TransactionsThatWroteAsync(string source)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(DISTINCT xmin::text) FROM events WHERE source = @source", connection);
        command.Parameters.AddWithValue("source", source);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static string MarkerRule(string marker) => $"""
        title: Marker tool
        id: {Guid.NewGuid()}
        status: test
        level: high
        detection:
            selection:
                process.command_line|contains: '{marker}'
            condition: selection
        """;

    private static Dictionary<string, object?> Seed(string source) => Item(source, "LOW", "login", "seeded", "seed-1");

    /// <summary>
    /// New, repeated and conflicting keys, a grouping sensor's three equal severe events (one alert, three occurrences), a
    /// critical event, a rule hit on a LOW event, a foreign sensor's source, and an event that raises nothing.
    /// </summary>
    private static List<object> Scenario(string source, string foreignSource, string marker)
    {
        var ruleHit = Item(source, "LOW", "process", "tool run");
        ruleHit["metadata"] = new Dictionary<string, object> { ["process.command_line"] = $"run {marker} now" };
        return
        [
            Item(source, "LOW", "login", "new one", "new-1"),
            Seed(source),
            Item(source, "LOW", "login", "not what was seeded", "seed-1"),
            Item(source, "HIGH", "brute_force", "many failed logins"),
            Item(source, "HIGH", "brute_force", "many failed logins"),
            Item(source, "HIGH", "brute_force", "many failed logins"),
            Item(source, "CRITICAL", "malware", "ransomware note"),
            ruleHit,
            Item(foreignSource, "LOW", "login", "not ours"),
            Item(source, "MEDIUM", "dns", "odd lookup"),
        ];
    }

    private static Dictionary<string, object?> Item(string source, string severity, string eventType, string description, string? externalId = null) => new()
    {
        ["source"] = source,
        ["event_type"] = eventType,
        ["severity"] = severity,
        ["description"] = description,
        ["source_ip"] = "198.51.100.9",
        ["destination_ip"] = "10.0.0.5",
        ["external_id"] = externalId,
        ["occurred_at"] = "2026-01-02T03:04:05Z",
    };

    private static Dictionary<int, string> RejectedBySingle(IReadOnlyList<int> statuses) => statuses
        .Select((status, index) => (status, index))
        .Where(s => s.status is 403 or 409)
        .ToDictionary(s => s.index, s => s.status == 403 ? "source" : "external_id");

    private Task<List<string>> StoredEventsAsync(string source) => factory.WithDbAsync(async db =>
        (await db.Events.Where(e => e.Source == source)
            .Select(e => new { e.EventType, e.Severity, e.Description, e.ExternalId, Folded = e.FoldedIntoAlertId != null, Alerts = db.Alerts.Count(a => a.EventId == e.Id) })
            .ToListAsync())
        .Select(e => JsonSerializer.Serialize(e))
        .Order(StringComparer.Ordinal)
        .ToList());

    private Task<List<string>> StoredAlertsAsync(string source) => factory.WithDbAsync(async db =>
        (await db.Alerts.Where(a => a.Source == source)
            .Select(a => new { a.EventType, a.Severity, a.Status, a.Occurrences, a.RuleTitle, a.Description, a.FoldsEvents })
            .ToListAsync())
        .Select(a => JsonSerializer.Serialize(a))
        .Order(StringComparer.Ordinal)
        .ToList());
}
