using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Events.Common;

namespace ThreatPlatform.Application.UnitTests.Events;

public sealed class IngestRateLimiterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private static readonly IngestPrincipal Key1 = IngestPrincipal.ApiKey(1);

    private IngestRateLimiter Limiter(int perSecond, int userPerSecond = 0) =>
        new(new IngestOptions { KeyEventsPerSecond = perSecond, UserEventsPerSecond = userPerSecond }, _clock);

    [Fact]
    public void A_key_gets_its_events_per_second_and_then_a_wait()
    {
        var limiter = Limiter(10);

        limiter.Acquire(Key1, 10);
        var over = () => limiter.Acquire(Key1, 1);

        over.Should().Throw<RateLimitExceededException>().Which.RetryAfter.Should().BeCloseTo(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void The_allowance_refills_with_time()
    {
        var limiter = Limiter(10);
        limiter.Acquire(Key1, 10);

        _clock.Advance(TimeSpan.FromMilliseconds(500));

        limiter.Invoking(l => l.Acquire(Key1, 5)).Should().NotThrow();
    }

    [Fact]
    public void A_batch_larger_than_a_seconds_allowance_passes_once_and_its_debt_holds_the_key_back()
    {
        var limiter = Limiter(10);

        limiter.Acquire(Key1, 50);
        _clock.Advance(TimeSpan.FromSeconds(3));
        var stillPaying = () => limiter.Acquire(Key1, 1);

        stillPaying.Should().Throw<RateLimitExceededException>().Which.RetryAfter.Should().BeCloseTo(TimeSpan.FromSeconds(1.1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void Keys_do_not_share_an_allowance()
    {
        var limiter = Limiter(1);
        limiter.Acquire(Key1, 1);

        limiter.Invoking(l => l.Acquire(IngestPrincipal.ApiKey(2), 1)).Should().NotThrow();
    }

    [Fact]
    public void Zero_turns_the_limit_off()
    {
        var limiter = Limiter(0);

        limiter.Invoking(l => l.Acquire(Key1, 1_000_000)).Should().NotThrow();
    }

    [Fact]
    public void A_user_gets_the_user_events_per_second_and_then_a_wait()
    {
        var limiter = Limiter(1000, userPerSecond: 10);

        limiter.Acquire(IngestPrincipal.User(1), 10);
        var over = () => limiter.Acquire(IngestPrincipal.User(1), 1);

        over.Should().Throw<RateLimitExceededException>().Which.Message.Should().Contain("user may ingest 10 events a second");
    }

    [Fact]
    public void A_user_and_an_api_key_with_the_same_id_do_not_share_an_allowance()
    {
        var limiter = Limiter(1, userPerSecond: 1);
        limiter.Acquire(IngestPrincipal.User(7), 1);

        limiter.Invoking(l => l.Acquire(IngestPrincipal.ApiKey(7), 1)).Should().NotThrow();
    }
}
