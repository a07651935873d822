using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>A user may ingest one event a second here, so one batch spends their allowance for several seconds.</summary>
public sealed class TinyUserIngestLimitFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) => builder.UseSetting("Ingest:UserEventsPerSecond", "1");
}

public sealed class UserIngestRateLimitTests(TinyUserIngestLimitFactory factory) : IClassFixture<TinyUserIngestLimitFactory>
{
    [Fact]
    public async Task A_user_over_the_user_events_per_second_gets_a_429_with_Retry_After_and_nothing_more_is_stored()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        var batch = Enumerable.Range(0, 10).Select(_ => (object)BatchApi.Event(source)).ToArray();
        (await (await analyst.PostBatchAsync(batch)).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(10);

        var single = await analyst.IngestAsync(EventsApi.NewEvent("LOW", source));
        var another = await analyst.PostBatchAsync(BatchApi.Event(source));

        (await single.ShouldBeProblemAsync(429)).GetProperty("detail").GetString().Should().Contain("user may ingest 1 events a second");
        await another.ShouldBeProblemAsync(429);
        int.Parse(single.Headers.RetryAfter!.ToString(), CultureInfo.InvariantCulture).Should().BeInRange(1, 10);
        (await factory.WithDbAsync(db => db.Events.CountAsync(e => e.Source == source))).Should().Be(10);
    }

    [Fact]
    public async Task Each_user_has_an_allowance_of_their_own()
    {
        var first = await factory.CreateClientAsAsync(UserRole.Analyst);
        var second = await factory.CreateClientAsAsync(UserRole.Analyst);
        await (await first.PostBatchAsync(BatchApi.Event(BatchApi.NewSource()), BatchApi.Event(BatchApi.NewSource()))).ShouldBeBatchAnswerAsync();

        await second.IngestOkAsync(EventsApi.NewEvent("LOW"));
    }
}
