using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Application.Alerts.StreamAlerts;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Streaming;

/// <summary>
/// A host nobody follows the stream on does not read the change log once per severe event: its feed moves on with the
/// one-second poll. (The stream tests show that a followed host still delivers each change at once.)
/// </summary>
public sealed class AlertFeedReadsTests(AlertFeedReadsTests.CountingApiFactory factory) : IClassFixture<AlertFeedReadsTests.CountingApiFactory>
{
    [Fact]
    public async Task Without_a_client_the_feed_reads_the_log_once_a_second_not_once_per_severe_event()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        await client.IngestOkAsync(EventsApi.NewEvent("CRITICAL"));
        var before = factory.Log.SettledReads;
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < 30; i++)
        {
            await client.IngestOkAsync(EventsApi.NewEvent("CRITICAL"));
        }

        var reads = factory.Log.SettledReads - before;
        reads.Should().BeLessThanOrEqualTo(
            (int)clock.Elapsed.TotalSeconds + 2,
            $"30 alerts in {clock.Elapsed.TotalSeconds:F1} s with no stream client should cost the poll's reads, not one per alert");
    }

    public sealed class CountingApiFactory : ApiFactory
    {
        public CountingLog Log { get; } = new();

        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.ConfigureTestServices(services =>
            {
                var real = services.Single(d => d.ServiceType == typeof(IAlertChangeLog));
                services.Remove(real);
                services.AddSingleton(real.ImplementationType!);
                services.AddSingleton<IAlertChangeLog>(sp => Log.Around((IAlertChangeLog)sp.GetRequiredService(real.ImplementationType!)));
            });
    }

    /// <summary>The real change log, counting how often the feed asks how far it may read.</summary>
    public sealed class CountingLog
    {
        private int _settledReads;

        public int SettledReads => Volatile.Read(ref _settledReads);

        public IAlertChangeLog Around(IAlertChangeLog inner) => new Counting(inner, this);

        private sealed class Counting(IAlertChangeLog inner, CountingLog owner) : IAlertChangeLog
        {
            public Task<long> LatestIdAsync(CancellationToken cancellationToken) => inner.LatestIdAsync(cancellationToken);

            public Task<long> SettledUpToAsync(long after, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref owner._settledReads);
                return inner.SettledUpToAsync(after, cancellationToken);
            }

            public Task<IReadOnlyList<AlertChange>> ReadAsync(long after, long upTo, int limit, CancellationToken cancellationToken) =>
                inner.ReadAsync(after, upTo, limit, cancellationToken);

            public Task<int> DeleteOlderThanAsync(TimeSpan age, CancellationToken cancellationToken) =>
                inner.DeleteOlderThanAsync(age, cancellationToken);
        }
    }
}
