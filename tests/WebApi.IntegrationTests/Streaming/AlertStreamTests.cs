using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Streaming;

public sealed class AlertStreamTests(StreamApiFactory factory) : IClassFixture<StreamApiFactory>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task A_client_receives_alert_created_for_an_event_ingested_after_it_connected()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        await using var stream = await SseClient.OpenAsync(analyst);

        var alertId = await admin.RaiseAlertAsync("CRITICAL");

        var message = await stream.NextEventAsync();
        message.Event.Should().Be("alert.created");
        message.IdNumber.Should().BePositive();
        using var data = JsonDocument.Parse(message.Data!);
        data.RootElement.GetProperty("id").GetInt64().Should().Be(alertId);
        data.RootElement.GetProperty("status").GetString().Should().Be("OPEN");
        data.RootElement.GetProperty("event").GetProperty("severity").GetString().Should().Be("CRITICAL");
        data.RootElement.GetProperty("event").GetProperty("alert_id").GetInt64().Should().Be(alertId);
    }

    [Fact]
    public async Task The_data_of_an_event_is_the_alert_exactly_as_the_list_shows_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        await using var stream = await SseClient.OpenAsync(admin);
        var source = BatchApi.NewSource();

        var alertId = await admin.RaiseAlertAsync("HIGH", source);

        var message = await stream.NextEventAsync();
        var listed = await admin.GetJsonAsync($"/api/alerts/?event__source={source}");
        var expected = listed.GetProperty("results")[0];
        expected.GetProperty("id").GetInt64().Should().Be(alertId);
        message.Data.Should().Be(expected.GetRawText());
    }

    [Fact]
    public async Task A_batch_ingest_announces_each_alert_it_raised_with_increasing_ids()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        await using var stream = await SseClient.OpenAsync(admin);
        var source = BatchApi.NewSource();

        var answer = await (await admin.PostArrayAsync(
        [
            BatchApi.Event(source, "HIGH", "b-1"), BatchApi.Event(source, "LOW", "b-2"),
            BatchApi.Event(source, "CRITICAL", "b-3"), BatchApi.Event(source, "HIGH", "b-4"),
        ])).ShouldBeBatchAnswerAsync();
        answer.AlertsCreated.Should().Be(3);

        var messages = new[] { await stream.NextEventAsync(), await stream.NextEventAsync(), await stream.NextEventAsync() };
        messages.Select(m => m.Event).Should().OnlyContain(e => e == "alert.created");
        messages.Select(m => m.IdNumber).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var listed = await admin.GetJsonAsync($"/api/alerts/?event__source={source}");
        messages.Select(m => m.AlertId).Should().BeEquivalentTo(listed.Ids());
        (await stream.DrainAsync(Quiet)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_status_change_is_announced_as_alert_updated_with_the_new_status()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync("HIGH");
        await using var stream = await SseClient.OpenAsync(admin);

        (await admin.ChangeStatusAsync(alertId, "ACKNOWLEDGED", "mine")).EnsureSuccessStatusCode();

        var message = await stream.NextEventAsync();
        message.Event.Should().Be("alert.updated");
        message.AlertId.Should().Be(alertId);
        using var data = JsonDocument.Parse(message.Data!);
        data.RootElement.GetProperty("status").GetString().Should().Be("ACKNOWLEDGED");
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_replays_exactly_what_was_missed_then_follows_live()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        long seen;
        long first;
        await using (var stream = await SseClient.OpenAsync(admin))
        {
            first = await admin.RaiseAlertAsync("HIGH");
            var message = await stream.NextEventAsync();
            message.AlertId.Should().Be(first);
            seen = message.IdNumber;
        }

        var missed = await admin.RaiseAlertAsync("CRITICAL");
        (await admin.ChangeStatusAsync(first, "RESOLVED")).EnsureSuccessStatusCode();

        await using var resumed = await SseClient.OpenAsync(admin, lastEventId: seen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var created = await resumed.NextEventAsync();
        var updated = await resumed.NextEventAsync();
        (created.Event, created.AlertId).Should().Be(("alert.created", missed));
        (updated.Event, updated.AlertId).Should().Be(("alert.updated", first));
        created.IdNumber.Should().BeGreaterThan(seen);
        updated.IdNumber.Should().BeGreaterThan(created.IdNumber);

        // The replay ends there: the next event is the next live change.
        var live = await admin.RaiseAlertAsync("HIGH");
        var next = await resumed.NextEventAsync();
        (next.Event, next.AlertId).Should().Be(("alert.created", live), "nothing else was missed");
        next.IdNumber.Should().BeGreaterThan(updated.IdNumber);
    }

    [Fact]
    public async Task The_last_event_id_may_come_in_the_query_string_too()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var before = await admin.RaiseAlertAsync("HIGH");
        var after = await admin.RaiseAlertAsync("HIGH");
        long beforeId;
        await using (var all = await SseClient.OpenAsync(admin, lastEventId: "0"))
        {
            var replayed = await all.DrainAsync(Quiet);
            beforeId = replayed.Single(m => m.AlertId == before && m.Event == "alert.created").IdNumber;
        }

        await using var stream = await SseClient.OpenAsync(admin, $"{SseClient.Path}?last_event_id={beforeId}");

        var message = await stream.NextEventAsync();
        (message.Event, message.AlertId).Should().Be(("alert.created", after));
    }

    [Fact]
    public async Task A_change_after_a_rolled_back_write_is_delivered()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync("HIGH");
        await using var stream = await SseClient.OpenAsync(admin);
        await using var connection = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();

        // A write of the log that rolls back leaves a gap in its ids; nobody can fill it any more, so the change after
        // it is read without waiting for the gap to age (AlertChangeGapTests shows the reader's side of this).
        await using (var rolledBack = await connection.BeginTransactionAsync())
        {
            await TouchAsync(connection, rolledBack, alertId);
            await rolledBack.RollbackAsync();
        }

        await TouchAsync(connection, null, alertId);

        var message = await stream.NextEventAsync(TimeSpan.FromSeconds(8));
        (message.Event, message.AlertId).Should().Be(("alert.updated", alertId));
    }

    [Fact]
    public async Task A_change_after_a_write_still_in_flight_waits_for_it_and_both_arrive_in_log_order()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var first = await admin.RaiseAlertAsync("HIGH");
        var second = await admin.RaiseAlertAsync("HIGH");
        await using var stream = await SseClient.OpenAsync(admin);
        await using var slow = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await slow.OpenAsync();
        await using var quick = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await quick.OpenAsync();

        // The slow write takes its change id first and commits last: the feed must not run past it.
        await using (var inFlight = await slow.BeginTransactionAsync())
        {
            await TouchAsync(slow, inFlight, first);
            await TouchAsync(quick, null, second);
            await inFlight.CommitAsync();
        }

        var one = await stream.NextEventAsync(TimeSpan.FromSeconds(8));
        var two = await stream.NextEventAsync(TimeSpan.FromSeconds(8));
        (one.AlertId, two.AlertId).Should().Be((first, second));
    }

    private static async Task TouchAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction? transaction, long alertId)
    {
        await using var touch = new Npgsql.NpgsqlCommand("UPDATE alerts SET updated_at = updated_at WHERE id = @id", connection, transaction);
        touch.Parameters.Add(new Npgsql.NpgsqlParameter<long>("id", alertId));
        await touch.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_bad_Last_Event_ID_is_a_400_naming_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        // As a script would ask (an EventSource's Accept: text/event-stream gets the 400 without a problem body).
        var header = await SseClient.SendAsync(admin, lastEventId: "yesterday", accept: "application/json");
        var query = await SseClient.SendAsync(admin, $"{SseClient.Path}?last_event_id=-3", accept: "application/json");

        (await header.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("Last-Event-ID");
        (await query.ShouldBeProblemAsync(400)).ErrorFields().Should().Equal("last_event_id");
    }

    [Fact]
    public async Task A_keep_alive_comment_arrives_while_nothing_happens()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        await using var stream = await SseClient.OpenAsync(analyst);

        var message = await stream.NextAsync(TimeSpan.FromSeconds(3));

        message.Comment.Should().Be("keep-alive");
        message.Id.Should().BeNull();
    }

    [Fact]
    public async Task An_access_token_in_the_query_string_opens_the_stream()
    {
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        var token = ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        await using var stream = await SseClient.OpenAsync(factory.CreateClient(), $"{SseClient.Path}?access_token={token}");

        var alertId = await admin.RaiseAlertAsync("HIGH");

        (await stream.NextEventAsync()).AlertId.Should().Be(alertId);
    }

    [Fact]
    public async Task An_access_token_in_the_query_string_is_refused_on_any_other_path()
    {
        var user = await factory.SeedUserAsync(UserRole.Admin);
        var token = ApiFactory.MintToken(user.Id, user.Username, UserRole.Admin);
        var anonymous = factory.CreateClient();

        var list = await anonymous.GetAsync(new Uri($"/api/alerts/?access_token={token}", UriKind.Relative));
        var me = await anonymous.GetAsync(new Uri($"/api/auth/me/?access_token={token}", UriKind.Relative));

        list.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        me.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_stream_without_a_token_is_a_401_and_with_a_bad_one_too()
    {
        var anonymous = factory.CreateClient();

        var none = await SseClient.SendAsync(anonymous);
        var bad = await SseClient.SendAsync(anonymous, $"{SseClient.Path}?access_token=not-a-jwt");

        none.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        bad.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_client_of_one_API_host_sees_an_alert_raised_through_another_host()
    {
        await using var hostB = factory.SecondHost();
        var user = await factory.SeedUserAsync(UserRole.Analyst);
        var onB = hostB.CreateClient();
        onB.DefaultRequestHeaders.Authorization = new("Bearer", ApiFactory.MintToken(user.Id, user.Username, UserRole.Analyst));
        await using var stream = await SseClient.OpenAsync(onB);
        var adminOnA = await factory.CreateClientAsAsync(UserRole.Admin);

        var alertId = await adminOnA.RaiseAlertAsync("CRITICAL");
        (await adminOnA.ChangeStatusAsync(alertId, "ACKNOWLEDGED")).EnsureSuccessStatusCode();

        var created = await stream.NextEventAsync();
        var updated = await stream.NextEventAsync();
        (created.Event, created.AlertId).Should().Be(("alert.created", alertId));
        (updated.Event, updated.AlertId).Should().Be(("alert.updated", alertId));
    }
}
