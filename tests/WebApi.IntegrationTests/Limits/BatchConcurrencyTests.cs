using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;
using ThreatPlatform.WebApi.Limits;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>The API working on at most one batch at a time.</summary>
public sealed class OneBatchApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("RateLimiting:MaxConcurrentBatches", "1");
}

public sealed class BatchConcurrencyTests(OneBatchApiFactory factory) : IClassFixture<OneBatchApiFactory>
{
    [Fact]
    public async Task A_batch_over_the_process_bound_gets_a_429_with_retry_after_and_passes_once_a_slot_is_free()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var slow = BatchApi.NewSource();
        await SleepOnInsertAsync(slow, seconds: 8);
        var first = client.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(slow, externalId: "held-1"))]);
        await SlotTakenAsync();

        var refused = await client.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(source, externalId: "second"))]);

        var problem = await refused.ShouldBeProblemAsync(429);
        problem.GetProperty("detail").GetString().Should().Contain("batches");
        int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(1);

        (await (await first).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);
        (await (await client.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(source, externalId: "second"))])).ShouldBeBatchAnswerAsync())
            .Accepted.Should().Be(1, "the slot is free again once the first batch is answered");
    }

    // The request reaches the API a moment after it is sent.
    private async Task SlotTakenAsync()
    {
        var slots = factory.Services.GetRequiredService<BatchConcurrency>();
        for (var i = 0; i < 600 && slots.InProgress == 0; i++)
        {
            await Task.Delay(50);
        }

        slots.InProgress.Should().Be(1, "the held batch has the one slot");
    }

    // The first batch's insert sleeps in PostgreSQL, so the request holds its slot meanwhile (the in-process test server
    // hands a request to the API only once its body is complete, so a slow body cannot hold it).
    private async Task SleepOnInsertAsync(string source, int seconds)
    {
        var name = "sleep_" + source.Replace('-', '_');
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.source = '{source}' THEN PERFORM pg_sleep({seconds}); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION {name}();
            """,
            connection);
        await command.ExecuteNonQueryAsync();
    }
}
