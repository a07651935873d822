using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Domain.UnitTests.Audit;

public sealed class AuditEntryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly AuditChainKey Key = AuditChainKey.From(new byte[32]);

    [Fact]
    public void A_sealed_entry_follows_its_predecessor_and_nothing_else()
    {
        var first = Entry("user:1");
        first.Seal(1, AuditEntry.GenesisHash, Key);
        var second = Entry("user:2");
        second.Seal(2, first.Hash, Key);

        first.FollowsIntact(AuditEntry.GenesisHash, Key).Should().BeTrue();
        second.FollowsIntact(first.Hash, Key).Should().BeTrue();
        second.FollowsIntact(AuditEntry.GenesisHash, Key).Should().BeFalse();
        second.Hash.Should().MatchRegex("^[0-9a-f]{64}$").And.NotBe(first.Hash);
    }

    [Fact]
    public void The_hash_covers_every_field_and_the_previous_hash()
    {
        var baseline = Hash(Entry("user:1"), 1, AuditEntry.GenesisHash);

        var variants = new[]
        {
            Hash(Entry("user:1"), 2, AuditEntry.GenesisHash),
            Hash(Entry("user:1"), 1, new string('1', 64)),
            Hash(Entry("user:2"), 1, AuditEntry.GenesisHash),
            Hash(AuditEntry.Record(AuditAction.LoginFailed, Now, 7, "alice", "192.0.2.1", "user:1", "wrong password"), 1, AuditEntry.GenesisHash),
            Hash(AuditEntry.Record(AuditAction.LoginSucceeded, Now.AddTicks(10), 7, "alice", "192.0.2.1", "user:1", "wrong password"), 1, AuditEntry.GenesisHash),
            Hash(AuditEntry.Record(AuditAction.LoginSucceeded, Now, 8, "alice", "192.0.2.1", "user:1", "wrong password"), 1, AuditEntry.GenesisHash),
            Hash(AuditEntry.Record(AuditAction.LoginSucceeded, Now, 7, "alicf", "192.0.2.1", "user:1", "wrong password"), 1, AuditEntry.GenesisHash),
            Hash(AuditEntry.Record(AuditAction.LoginSucceeded, Now, 7, "alice", "192.0.2.2", "user:1", "wrong password"), 1, AuditEntry.GenesisHash),
            Hash(AuditEntry.Record(AuditAction.LoginSucceeded, Now, 7, "alice", "192.0.2.1", "user:1", "wrong passwore"), 1, AuditEntry.GenesisHash),
            Hash(AuditEntry.Record(AuditAction.LoginSucceeded, Now, 7, "alice", "192.0.2.1", "user:1", null), 1, AuditEntry.GenesisHash),
        };

        variants.Should().OnlyHaveUniqueItems().And.NotContain(baseline);
    }

    [Fact]
    public void Moving_text_between_fields_changes_the_hash()
    {
        var a = Hash(AuditEntry.Record(AuditAction.LoginFailed, Now, null, "ab", null, "c", null), 1, AuditEntry.GenesisHash);
        var b = Hash(AuditEntry.Record(AuditAction.LoginFailed, Now, null, "a", null, "bc", null), 1, AuditEntry.GenesisHash);

        a.Should().NotBe(b);
    }

    [Fact]
    public void Time_is_kept_to_the_microsecond_postgresql_stores()
    {
        var entry = AuditEntry.Record(AuditAction.LogoutAll, Now.AddTicks(17), 1, "alice", null, "user:1", null);

        entry.At.Should().Be(Now.AddTicks(10));
    }

    private static AuditEntry Entry(string target) =>
        AuditEntry.Record(AuditAction.LoginSucceeded, Now, 7, "alice", "192.0.2.1", target, "wrong password");

    private static string Hash(AuditEntry entry, long id, string previous)
    {
        entry.Seal(id, previous, Key);
        return entry.Hash;
    }
}
