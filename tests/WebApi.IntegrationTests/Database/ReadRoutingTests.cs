using Microsoft.Extensions.Time.Testing;
using ThreatPlatform.Infrastructure.Persistence.Replica;

namespace ThreatPlatform.WebApi.IntegrationTests.Database;

/// <summary>The routing rule on its own (no database): when a request's queries may read the replica.</summary>
public sealed class ReadRoutingTests
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Fresh = TimeSpan.FromMilliseconds(10);

    private static ReplicaSnapshot Streaming(ulong replayed, double lag = 0) => new(0, Usable: true, replayed, lag, null);

    [Fact]
    public void A_caller_who_has_not_written_reads_a_streaming_replica() =>
        ReadRouting.Choose(Streaming(100), Fresh, callerWroteAt: null, MaxLag).Should().Be(ReadTarget.Replica);

    [Fact]
    public void A_writer_reads_the_primary_until_the_replica_has_replayed_their_write()
    {
        ReadRouting.Choose(Streaming(99), Fresh, callerWroteAt: 100, MaxLag).Should().Be(ReadTarget.Primary);
        ReadRouting.Choose(Streaming(100), Fresh, callerWroteAt: 100, MaxLag).Should().Be(ReadTarget.Replica);
    }

    [Fact]
    public void A_replica_lagging_more_than_allowed_or_by_an_unknown_time_sends_everyone_to_the_primary()
    {
        ReadRouting.Choose(Streaming(100, lag: 30.5), Fresh, null, MaxLag).Should().Be(ReadTarget.Primary);
        ReadRouting.Choose(new ReplicaSnapshot(0, true, 100, null, null), Fresh, null, MaxLag).Should().Be(ReadTarget.Primary);
        ReadRouting.Choose(Streaming(100, lag: 29.9), Fresh, null, MaxLag).Should().Be(ReadTarget.Replica);
    }

    [Fact]
    public void An_unreachable_replica_no_look_yet_or_a_stale_look_sends_everyone_to_the_primary()
    {
        ReadRouting.Choose(new ReplicaSnapshot(0, false, 0, null, "unreachable"), Fresh, null, MaxLag).Should().Be(ReadTarget.Primary);
        ReadRouting.Choose(null, TimeSpan.MaxValue, null, MaxLag).Should().Be(ReadTarget.Primary);
        ReadRouting.Choose(Streaming(100), ReadRouting.TrustFor + TimeSpan.FromMilliseconds(1), null, MaxLag).Should().Be(ReadTarget.Primary);
    }

    [Fact]
    public void A_write_position_is_forgotten_once_replayed_or_older_than_the_allowed_lag_and_a_later_write_is_kept()
    {
        var time = new FakeTimeProvider();
        var positions = new WritePositions(time);
        positions.Record(1, 100);
        positions.Record(2, 200);
        positions.Record(1, 90);
        positions.Of(1).Should().Be(100, "an older position never replaces a newer one");

        positions.Forget(replayed: 150, MaxLag);
        positions.Of(1).Should().BeNull();
        positions.Of(2).Should().Be(200);

        positions.Record(3, WritePositions.Unknown);
        time.Advance(MaxLag + TimeSpan.FromSeconds(1));
        positions.Forget(replayed: 150, MaxLag);
        positions.Count.Should().Be(0);
    }
}
