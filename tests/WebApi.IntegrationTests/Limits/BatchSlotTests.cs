using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;
using ThreatPlatform.WebApi.Limits;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>Two process slots, one of them kept for sensor keys (users share one); two batch requests per caller.</summary>
public sealed class TwoBatchSlotsApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimiting:MaxConcurrentBatches", "2");
        builder.UseSetting("RateLimiting:SensorKeyReservedBatchPercent", "50");
        builder.UseSetting("RateLimiting:MaxConcurrentBatchesPerCaller", "2");
    }
}

public sealed class BatchSlotTests(TwoBatchSlotsApiFactory factory) : IClassFixture<TwoBatchSlotsApiFactory>
{
    private BatchConcurrency Slots => factory.Services.GetRequiredService<BatchConcurrency>();

    [Fact]
    public async Task A_third_concurrent_batch_from_one_caller_is_a_429_while_another_caller_still_gets_a_slot()
    {
        var caller = await factory.CreateStreamingClientAsAsync(UserRole.Analyst);
        var other = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        using var first = TrickleContent.Ndjson(BatchApi.Event(source, externalId: "held-1"));
        using var second = TrickleContent.Ndjson(BatchApi.Event(source, externalId: "held-2"));
        var held = new[] { (Body: first, Answer: caller.PostAsync(BatchApi.Batch, first)), (Body: second, Answer: caller.PostAsync(BatchApi.Batch, second)) };
        var answers = new List<HttpResponseMessage>();
        try
        {
            await WaitForAsync(() => Slots.Requests == 2, "both uploads have arrived and hold their caller's slots");

            var third = await caller.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(source, externalId: "third"))]);
            var elsewhere = await other.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(source, externalId: "other"))]);

            var problem = await third.ShouldBeProblemAsync(429);
            problem.GetProperty("detail").GetString().Should().Contain("This caller already has 2 batches in progress");
            third.Headers.RetryAfter.Should().NotBeNull();
            (await elsewhere.ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);
        }
        finally
        {
            // One at a time: users share one process slot here.
            foreach (var (body, answer) in held)
            {
                body.Release();
                answers.Add(await answer);
            }
        }

        foreach (var response in answers)
        {
            (await response.ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1, "a held batch goes through once its body is complete");
        }
    }

    [Fact]
    public async Task With_the_users_share_of_slots_taken_a_sensor_key_still_gets_one()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var user = await factory.CreateClientAsAsync(UserRole.Analyst);
        var anotherUser = await factory.CreateClientAsAsync(UserRole.Analyst);
        var slow = BatchApi.NewSource();
        await using var hold = await InsertHold.OnAsync(factory.ConnectionString, slow);
        var heldBatch = user.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(slow, externalId: "held"))]);
        try
        {
            await WaitForAsync(() => Slots.InProgress == 1, "the user's batch holds the users' one slot");

            var userRefused = await anotherUser.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(BatchApi.NewSource()))]);
            var sensorServed = await sensor.Client.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(sensor.Source))]);

            (await userRefused.ShouldBeProblemAsync(429)).GetProperty("detail").GetString().Should().Contain("user tokens");
            (await sensorServed.ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1, "the other slot is kept for sensor keys");
        }
        finally
        {
            await hold.ReleaseAsync();
        }

        (await (await heldBatch).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);
    }

    [Fact]
    public async Task A_slow_upload_holds_no_slot_while_it_uploads_and_another_batch_proceeds()
    {
        var slowClient = await factory.CreateStreamingClientAsAsync(UserRole.Analyst);
        var other = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        using var trickle = TrickleContent.Ndjson(BatchApi.Event(source, externalId: "slow"));
        var slow = slowClient.PostAsync(BatchApi.Batch, trickle);
        try
        {
            await WaitForAsync(() => Slots.Requests == 1, "the slow upload has arrived");

            var meanwhile = await other.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(source, externalId: "meanwhile"))]);

            (await meanwhile.ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1, "the users' one slot is free while the slow body arrives");
        }
        finally
        {
            trickle.Release();
        }

        (await (await slow).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);
    }

    private static async Task WaitForAsync(Func<bool> condition, string because)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        condition().Should().BeTrue(because);
    }
}

/// <summary>The API giving a batch body one second to arrive.</summary>
public sealed class ShortUploadDeadlineApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("RateLimiting:BatchUploadTimeoutSeconds", "1");
}

public sealed class BatchUploadDeadlineTests(ShortUploadDeadlineApiFactory factory) : IClassFixture<ShortUploadDeadlineApiFactory>
{
    [Fact]
    public async Task A_body_that_has_not_arrived_by_the_deadline_is_a_408_problem_and_nothing_is_stored()
    {
        var client = await factory.CreateStreamingClientAsAsync(UserRole.Analyst);
        client.Timeout = TimeSpan.FromSeconds(60);
        var source = BatchApi.NewSource();
        using var trickle = TrickleContent.Ndjson(BatchApi.Event(source, externalId: "never-finished"));

        try
        {
            var response = await client.PostAsync(BatchApi.Batch, trickle);

            var problem = await response.ShouldBeProblemAsync(408);
            problem.GetProperty("detail").GetString().Should().Contain("did not arrive in full within 1 seconds");
        }
        finally
        {
            trickle.Release();
        }

        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(0);
    }
}

internal static class StreamingClients
{
    /// <summary>
    /// A client whose request bodies reach the API as they are sent. TestServer hands the app a body as it streams, but
    /// WebApplicationFactory's default client buffers every request body first (its redirect handler may resend it).
    /// </summary>
    public static async Task<HttpClient> CreateStreamingClientAsAsync(this ApiFactory factory, UserRole role)
    {
        var user = await factory.SeedUserAsync(role);
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFactory.MintToken(user.Id, user.Username, role));
        return client;
    }
}

/// <summary>
/// A chunked NDJSON body that sends its first line at once and the rest only when released: a client uploading slowly.
/// </summary>
internal sealed class TrickleContent : HttpContent
{
    private readonly byte[] _head;
    private readonly byte[] _tail;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TrickleContent(string head, string tail)
    {
        _head = Encoding.UTF8.GetBytes(head);
        _tail = Encoding.UTF8.GetBytes(tail);
        Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
    }

    /// <summary>The event's line is held back until <see cref="Release"/>; a blank line goes first.</summary>
    public static TrickleContent Ndjson(object item) => new("\n", BatchApi.Line(item) + "\n");

    public void Release() => _released.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_head);
        await stream.FlushAsync();
        await _released.Task;
        await stream.WriteAsync(_tail);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

/// <summary>
/// Holds every insert of a source's events in PostgreSQL (a trigger waits on an advisory lock this connection holds)
/// until released, so the batch that writes them keeps its slot meanwhile. Test-generated names only: DDL takes no
/// parameters.
/// </summary>
internal sealed class InsertHold : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;
    private bool _released;

    private InsertHold(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    public static async Task<InsertHold> OnAsync(string connectionString, string source)
    {
        var key = Random.Shared.NextInt64(1, long.MaxValue);
        var name = "hold_" + source.Replace('-', '_');
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var lockIt = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockIt.Parameters.AddWithValue("key", key);
            await lockIt.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(
            $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.source = '{source}' THEN PERFORM pg_advisory_xact_lock_shared({key}); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION {name}();
            """,
            connection);
        await command.ExecuteNonQueryAsync();
        return new InsertHold(connection, key);
    }

    public async Task ReleaseAsync()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
        unlock.Parameters.AddWithValue("key", _key);
        await unlock.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }
}
