using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>A tiny bucket per sensor key (2 requests, then one a minute); users unlimited so the admin can set sensors up.</summary>
public sealed class TinyKeyBucketApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimiting:SensorKey:PermitsPerMinute", "1");
        builder.UseSetting("RateLimiting:SensorKey:Burst", "2");
    }
}

public sealed class SensorKeyRateLimitTests(TinyKeyBucketApiFactory factory) : IClassFixture<TinyKeyBucketApiFactory>
{
    [Fact]
    public async Task A_sensor_key_past_its_bucket_gets_a_429_and_another_key_of_the_same_sensor_does_not()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var sensor = await factory.SensorWithKeyAsync(admin);
        var secondKey = await admin.CreateKeyOkAsync(sensor.SensorId);
        var other = factory.ClientWithKey(secondKey.GetProperty("key").GetString()!);

        for (var i = 0; i < 2; i++)
        {
            (await sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", sensor.Sources[0]))).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        var limited = await sensor.Client.IngestAsync(EventsApi.NewEvent("LOW", sensor.Sources[0]));
        var problem = await limited.ShouldBeProblemAsync(429);
        problem.GetProperty("detail").GetString().Should().Contain("requests with this API key");
        int.Parse(limited.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture).Should().BeInRange(1, 60);
        (await other.IngestAsync(EventsApi.NewEvent("LOW", sensor.Sources[0]))).StatusCode.Should().Be(HttpStatusCode.Created);
    }
}
