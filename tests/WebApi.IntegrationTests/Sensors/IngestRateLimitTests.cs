using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Sensors;

/// <summary>A key may ingest one event a second here, so one batch spends its allowance for several seconds.</summary>
public sealed class TinyIngestLimitFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseSetting("Ingest:KeyEventsPerSecond", "1");
}

public sealed class IngestRateLimitTests(TinyIngestLimitFactory factory) : IClassFixture<TinyIngestLimitFactory>
{
    [Fact]
    public async Task A_key_over_its_events_per_second_gets_a_429_with_Retry_After_and_nothing_is_stored()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var batch = Enumerable.Range(0, 10).Select(_ => (object)BatchApi.Event(sensor.Source)).ToArray();
        (await (await sensor.Client.PostBatchAsync(batch)).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(10);

        var single = await sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", sensor.Source));
        var another = await sensor.Client.PostBatchAsync(BatchApi.Event(sensor.Source));

        await single.ShouldBeProblemAsync(429);
        await another.ShouldBeProblemAsync(429);
        int.Parse(single.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(1, 10);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == sensor.Source))).Should().Be(10);
    }

    [Fact]
    public async Task Each_key_has_its_own_allowance()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var secondKey = await admin.CreateKeyOkAsync(sensor.SensorId);
        await (await sensor.Client.PostBatchAsync(BatchApi.Event(sensor.Source), BatchApi.Event(sensor.Source))).ShouldBeBatchAnswerAsync();

        await factory.ClientWithKey(secondKey.GetProperty("key").GetString()!).IngestOkAsync(EventsApi.NewEvent("LOW", sensor.Source));
    }

    [Fact]
    public async Task User_tokens_are_not_limited_per_key()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        for (var i = 0; i < 3; i++)
        {
            await analyst.IngestOkAsync(EventsApi.NewEvent("LOW"));
        }
    }
}
