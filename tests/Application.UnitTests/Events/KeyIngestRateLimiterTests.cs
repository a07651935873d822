using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Events.Common;

namespace ThreatPlatform.Application.UnitTests.Events;

public sealed class KeyIngestRateLimiterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private KeyIngestRateLimiter Limiter(int perSecond) => new(new IngestOptions { KeyEventsPerSecond = perSecond }, _clock);

    [Fact]
    public void A_key_gets_its_events_per_second_and_then_a_wait()
    {
        var limiter = Limiter(10);

        limiter.Acquire(1, 10);
        var over = () => limiter.Acquire(1, 1);

        over.Should().Throw<RateLimitExceededException>().Which.RetryAfter.Should().BeCloseTo(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void The_allowance_refills_with_time()
    {
        var limiter = Limiter(10);
        limiter.Acquire(1, 10);

        _clock.Advance(TimeSpan.FromMilliseconds(500));

        limiter.Invoking(l => l.Acquire(1, 5)).Should().NotThrow();
    }

    [Fact]
    public void A_batch_larger_than_a_seconds_allowance_passes_once_and_its_debt_holds_the_key_back()
    {
        var limiter = Limiter(10);

        limiter.Acquire(1, 50);
        _clock.Advance(TimeSpan.FromSeconds(3));
        var stillPaying = () => limiter.Acquire(1, 1);

        stillPaying.Should().Throw<RateLimitExceededException>().Which.RetryAfter.Should().BeCloseTo(TimeSpan.FromSeconds(1.1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void Keys_do_not_share_an_allowance()
    {
        var limiter = Limiter(1);
        limiter.Acquire(1, 1);

        limiter.Invoking(l => l.Acquire(2, 1)).Should().NotThrow();
    }

    [Fact]
    public void Zero_turns_the_limit_off()
    {
        var limiter = Limiter(0);

        limiter.Invoking(l => l.Acquire(1, 1_000_000)).Should().NotThrow();
    }
}
