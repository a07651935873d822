using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Domain.UnitTests.Audit;

public sealed class AuditChainWalkTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private static readonly AuditChainKey Key = AuditChainKey.From(Enumerable.Repeat((byte)7, 32).ToArray());

    [Fact]
    public void An_untouched_chain_that_reaches_its_checkpoint_passes()
    {
        var chain = Chain(5, Key);

        var (fault, walk) = Walk(chain, Checkpoint(chain[2]));

        fault.Should().BeNull();
        walk.Checked.Should().Be(5);
    }

    [Fact]
    public void Legacy_sha256_entries_before_the_first_keyed_one_verify_with_the_old_rule()
    {
        var chain = Chain(4, Key, legacy: 2);

        Walk(chain, Checkpoint(chain[3])).Fault.Should().BeNull();
    }

    [Fact]
    public void A_chain_re_hashed_from_an_edit_with_another_key_is_edited_at_that_entry()
    {
        var chain = Chain(5, Key);
        var forged = Chain(5, AuditChainKey.Random());

        var fault = Walk([.. chain.Take(2), .. Rehash(chain.Skip(2), chain[1].Hash, AuditChainKey.Random())], null).Fault;

        fault.Should().Be(new AuditChainFault(AuditChainFaultKind.Edited, 3));
        Walk(forged, null).Fault!.Kind.Should().Be(AuditChainFaultKind.Edited);
    }

    [Fact]
    public void A_chain_re_hashed_from_an_edit_with_plain_sha256_is_refused_after_keyed_entries()
    {
        var chain = Chain(5, Key);

        var fault = Walk([.. chain.Take(2), .. Rehash(chain.Skip(2), chain[1].Hash, Key, legacy: true)], null).Fault;

        fault.Should().Be(new AuditChainFault(AuditChainFaultKind.UnkeyedAfterKeyed, 3));
    }

    [Fact]
    public void A_whole_chain_rewritten_with_plain_sha256_differs_from_the_checkpoint()
    {
        var chain = Chain(5, Key);
        var checkpoint = Checkpoint(chain[3]);
        var rewritten = Rehash(chain, AuditEntry.GenesisHash, Key, legacy: true);

        var fault = Walk(rewritten, checkpoint).Fault;

        fault.Should().Be(new AuditChainFault(AuditChainFaultKind.CheckpointMismatch, 4, checkpoint, rewritten[3].Hash, 4));
    }

    [Fact]
    public void A_table_that_ends_before_the_checkpoint_is_truncated_after_its_last_entry()
    {
        var chain = Chain(5, Key);
        var checkpoint = Checkpoint(chain[4]);

        var (fault, walk) = Walk(chain.Take(3).ToList(), checkpoint);

        fault.Should().Be(new AuditChainFault(AuditChainFaultKind.Truncated, 4, checkpoint, TableEnd: 3));
        walk.Checked.Should().Be(3);
        Walk([], checkpoint).Fault.Should().Be(new AuditChainFault(AuditChainFaultKind.Truncated, 1, checkpoint, TableEnd: 0));
    }

    [Fact]
    public void An_entry_of_an_unknown_chain_version_is_refused()
    {
        var chain = Chain(2, Key);
        typeof(AuditEntry).GetProperty(nameof(AuditEntry.ChainVersion))!.SetValue(chain[1], (AuditChainVersion)9);

        Walk(chain, null).Fault.Should().Be(new AuditChainFault(AuditChainFaultKind.UnknownVersion, 2));
    }

    private static (AuditChainFault? Fault, AuditChainWalk Walk) Walk(IReadOnlyList<AuditEntry> entries, AuditCheckpoint? checkpoint)
    {
        var walk = new AuditChainWalk(Key, checkpoint);
        foreach (var entry in entries)
        {
            if (walk.Next(entry) is { } fault)
            {
                return (fault, walk);
            }
        }

        return (walk.End(), walk);
    }

    private static AuditCheckpoint Checkpoint(AuditEntry entry) => AuditCheckpoint.Sign(entry.Id, entry.Hash, Now, Key);

    /// <summary>Entries 1…<paramref name="count"/>, the first <paramref name="legacy"/> of them hashed as before the chain was keyed.</summary>
    private static List<AuditEntry> Chain(int count, AuditChainKey key, int legacy = 0)
    {
        var previous = AuditEntry.GenesisHash;
        var entries = new List<AuditEntry>();
        for (var id = 1; id <= count; id++)
        {
            var entry = AuditEntry.Record(AuditAction.LoginFailed, Now.AddSeconds(id), null, $"user{id}", "192.0.2.1", null, "wrong password");
            if (id <= legacy)
            {
                AuditHashFormatTests.Legacy(entry);
            }

            entry.Seal(id, previous, key);
            previous = entry.Hash;
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Copies of <paramref name="entries"/>, with an edited detail, chained anew from <paramref name="previous"/>.</summary>
    private static List<AuditEntry> Rehash(IEnumerable<AuditEntry> entries, string previous, AuditChainKey key, bool legacy = false)
    {
        var copies = new List<AuditEntry>();
        foreach (var original in entries)
        {
            var copy = AuditEntry.Record(original.Action, original.At, original.ActorId, original.Actor, original.ClientAddress, original.Target, "nothing to see here");
            if (legacy)
            {
                AuditHashFormatTests.Legacy(copy);
            }

            copy.Seal(original.Id, previous, key);
            previous = copy.Hash;
            copies.Add(copy);
        }

        return copies;
    }
}
