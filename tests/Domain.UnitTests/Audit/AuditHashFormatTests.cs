using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Domain.UnitTests.Audit;

/// <summary>
/// The hash text is a stored format: chains written by one version must verify on the next, so its exact form is pinned
/// by vectors computed outside .NET (Python's hashlib and hmac over the canonical text in each test's comment; the key
/// is the 32 bytes 0x00…0x1f).
/// </summary>
public sealed class AuditHashFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly AuditChainKey Key = AuditChainKey.From(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void The_keyed_hash_of_a_known_entry_is_the_published_vector()
    {
        // HMAC-SHA256(key, tp-audit-v2|1:1|27:2026-11-24T10:00:00.000000Z|1:7|5:alice|9:192.0.2.1|1:2|6:user:1|14:wrong password|64:000…0)
        var entry = AuditEntry.Record(AuditAction.LoginFailed, Now, 7, "alice", "192.0.2.1", "user:1", "wrong password");

        entry.Seal(1, AuditEntry.GenesisHash, Key);

        entry.ChainVersion.Should().Be(AuditChainVersion.HmacSha256);
        entry.Hash.Should().Be("ba81e053d135a069bae10601929e09a76b85dffb3cdae6b029c4901343458672");
    }

    [Fact]
    public void An_entry_stored_before_the_chain_was_keyed_keeps_its_plain_sha256_vector()
    {
        // SHA-256(tp-audit-v1|1:1|27:2026-11-24T10:00:00.000000Z|1:7|5:alice|9:192.0.2.1|1:2|6:user:1|14:wrong password|64:000…0)
        var entry = Legacy(AuditEntry.Record(AuditAction.LoginFailed, Now, 7, "alice", "192.0.2.1", "user:1", "wrong password"));

        entry.Seal(1, AuditEntry.GenesisHash, Key);

        entry.Hash.Should().Be("2df57aa6b5a46fb8d03ba0a57f871576702950543f131cdaca56b35457ea2585");
    }

    [Fact]
    public void A_checkpoint_signs_the_published_vector()
    {
        // HMAC-SHA256(key, tp-audit-checkpoint-v1|1|ba81…8672|2026-11-24T10:00:00.000000Z)
        var checkpoint = AuditCheckpoint.Sign(1, "ba81e053d135a069bae10601929e09a76b85dffb3cdae6b029c4901343458672", Now.AddTicks(7), Key);

        checkpoint.Mac.Should().Be("3bdc9987155a8739619321c351c05519070ea3f34ec0c34772a81fd1673207c9");
        checkpoint.IsSignedBy(Key).Should().BeTrue();
        (checkpoint with { Id = 2 }).IsSignedBy(Key).Should().BeFalse();
        checkpoint.IsSignedBy(AuditChainKey.From(new byte[32])).Should().BeFalse();
    }

    [Fact]
    public void An_absent_value_and_an_empty_one_hash_differently()
    {
        // tp-audit-v1|1:1|27:2026-11-24T10:00:00.000000Z|-:|-:|-:|1:1|-:|0:|64:000…0
        var entry = Legacy(AuditEntry.Record(AuditAction.LoginSucceeded, Now, null, null, null, null, ""));

        entry.Seal(1, AuditEntry.GenesisHash, Key);

        entry.Hash.Should().Be("72cd776d3c1cfdfcffc2337ee709274cbfb75c70fcaf9cd29147b0c329ac248b");
        entry.Hash.Should().NotBe(Sealed(Legacy(AuditEntry.Record(AuditAction.LoginSucceeded, Now, null, null, null, null, null))).Hash);
    }

    [Fact]
    public void An_entry_edited_after_sealing_no_longer_follows_even_its_own_predecessor()
    {
        var entry = Sealed(AuditEntry.Record(AuditAction.UserRoleChanged, Now, 1, "root", "192.0.2.1", "user:2", "ANALYST -> ADMIN"));
        typeof(AuditEntry).GetProperty(nameof(AuditEntry.Detail))!.SetValue(entry, "ANALYST -> ANALYST");

        entry.FollowsIntact(AuditEntry.GenesisHash, Key).Should().BeFalse();
    }

    [Fact]
    public void Fields_are_kept_up_to_their_maximum_length_and_clipped_beyond_it()
    {
        var fits = AuditEntry.Record(AuditAction.LoginFailed, Now, null, new string('a', AuditEntry.ActorMaxLength), null, null, new string('d', AuditEntry.DetailMaxLength));
        var over = AuditEntry.Record(
            AuditAction.LoginFailed,
            Now,
            null,
            new string('a', AuditEntry.ActorMaxLength + 1),
            new string('1', AuditEntry.AddressMaxLength + 1),
            new string('t', AuditEntry.TargetMaxLength + 1),
            new string('d', AuditEntry.DetailMaxLength + 1));

        (fits.Actor!.Length, fits.Detail!.Length).Should().Be((AuditEntry.ActorMaxLength, AuditEntry.DetailMaxLength));
        (over.Actor!.Length, over.ClientAddress!.Length, over.Target!.Length, over.Detail!.Length)
            .Should().Be((AuditEntry.ActorMaxLength, AuditEntry.AddressMaxLength, AuditEntry.TargetMaxLength, AuditEntry.DetailMaxLength));
    }

    private static AuditEntry Sealed(AuditEntry entry)
    {
        entry.Seal(1, AuditEntry.GenesisHash, Key);
        return entry;
    }

    /// <summary>The entry as a row stored before the chain was keyed reads back.</summary>
    internal static AuditEntry Legacy(AuditEntry entry)
    {
        typeof(AuditEntry).GetProperty(nameof(AuditEntry.ChainVersion))!.SetValue(entry, AuditChainVersion.Sha256);
        return entry;
    }
}
