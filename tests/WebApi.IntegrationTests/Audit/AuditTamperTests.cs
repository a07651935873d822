using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Audit;

/// <summary>
/// Someone who holds the database's owner credentials drops the append-only trigger and edits, deletes or re-hashes audit
/// rows by hand: verify finds where, with the chain key and the checkpoint kept outside the database. Each test on its
/// own database.
/// </summary>
public sealed class AuditTamperTests
{
    [Fact]
    public Task Verify_passes_on_an_untouched_chain_against_the_newest_checkpoint() => OnOwnDatabaseAsync(async factory =>
    {
        var admin = await SeedEntriesAsync(factory);

        (await admin.VerifyInFullAsync()).Should().Be((true, 4L, (long?)null, (string?)null, (long?)4));
    });

    [Fact]
    public Task Verify_names_an_entry_edited_with_sql() => OnOwnDatabaseAsync(async factory =>
    {
        var admin = await SeedEntriesAsync(factory);
        (await admin.VerifyAsync()).Should().Be((true, 4L, (long?)null));

        await AsOwnerAsync(factory, "UPDATE audit_entries SET detail = 'nothing to see here' WHERE id = 3");

        (await admin.VerifyAsync()).Should().Be((false, 3L, (long?)3));
    });

    [Fact]
    public Task Verify_names_the_entry_after_a_deleted_one() => OnOwnDatabaseAsync(async factory =>
    {
        var admin = await SeedEntriesAsync(factory);

        await AsOwnerAsync(factory, "DELETE FROM audit_entries WHERE id = 2");

        (await admin.VerifyAsync()).Should().Be((false, 2L, (long?)3));
    });

    [Fact]
    public Task An_owner_who_deletes_the_tail_makes_verify_name_the_truncation() => OnOwnDatabaseAsync(async factory =>
    {
        var admin = await SeedEntriesAsync(factory);
        var head = await factory.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.Id == 4));

        await AsOwnerAsync(factory, "DELETE FROM audit_entries WHERE id > 2", expectedRows: 2);

        (await admin.VerifyInFullAsync()).Should().Be((false, 2L, (long?)3,
            $"truncated: the checkpoint names entry 4 with hash {head.Hash}, the table ends at 2", (long?)4));
    });

    [Theory]
    [InlineData(2, AuditChainVersion.Sha256, false, 2L, "unkeyed: entry 2 ")]
    [InlineData(2, AuditChainVersion.HmacSha256, true, 2L, "edited: entry 2's hash")]
    [InlineData(1, AuditChainVersion.Sha256, false, 4L, "rewritten: the checkpoint names entry 4 with hash ")]
    public Task An_edit_re_hashed_forward_without_the_key_fails_verify(int fromId, AuditChainVersion version, bool wrongKey, long firstBad, string problem) =>
        OnOwnDatabaseAsync(async factory =>
        {
            var admin = await SeedEntriesAsync(factory);

            // As a tool without the key would: plain SHA-256 (the rule before the chain was keyed), or HMAC with a guessed key.
            await RehashFromAsync(factory, fromId, version, wrongKey ? AuditChainKey.Random() : null);

            var verification = await admin.VerifyInFullAsync();
            (verification.Ok, verification.FirstBadId).Should().Be((false, (long?)firstBad));
            verification.Problem.Should().StartWith(problem);
        });

    [Fact]
    public Task A_chain_written_before_the_key_verifies_up_to_the_first_keyed_entry() => OnOwnDatabaseAsync(async factory =>
    {
        await SeedEntriesAsync(factory);
        // What the migration leaves of a chain hashed with plain SHA-256: entries of version 1, before any keyed one.
        await RehashFromAsync(factory, 1, AuditChainVersion.Sha256, null, edit: false);
        await File.WriteAllTextAsync(factory.AuditCheckpointPath, string.Empty);
        await (await factory.CreateClientFrom("192.0.2.50").LoginAsync(AuthApi.NewUsername("after"), "a wrong password")).ShouldBeProblemAsync(401);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var entries = await factory.WithDbAsync(db => db.AuditEntries.OrderBy(a => a.Id).Select(a => a.ChainVersion).ToListAsync());

        entries.Should().Equal(AuditChainVersion.Sha256, AuditChainVersion.Sha256, AuditChainVersion.Sha256, AuditChainVersion.Sha256, AuditChainVersion.HmacSha256);
        (await admin.VerifyInFullAsync()).Should().Be((true, 5L, (long?)null, (string?)null, (long?)5));
    });

    private static async Task OnOwnDatabaseAsync(Func<ApiFactory, Task> test)
    {
        var factory = new ApiFactory();
        await factory.InitializeAsync();
        try
        {
            await test(factory);
        }
        finally
        {
            await factory.DisposeAsync();
        }
    }

    /// <summary>Four failed sign-ins: entries 1 to 4.</summary>
    private static async Task<HttpClient> SeedEntriesAsync(ApiFactory factory)
    {
        var client = factory.CreateClientFrom("192.0.2.50");
        for (var i = 0; i < 4; i++)
        {
            await (await client.LoginAsync(AuthApi.NewUsername("tamper"), "a wrong password")).ShouldBeProblemAsync(401);
        }

        return await factory.CreateClientAsAsync(UserRole.Admin);
    }

    /// <summary>
    /// Rewrites entries from <paramref name="fromId"/> on (their detail edited unless told not to), each chained to the one
    /// before as <paramref name="version"/> says, keyed (version 2) with <paramref name="key"/>, or with the real key when
    /// none is given.
    /// </summary>
    private static async Task RehashFromAsync(ApiFactory factory, int fromId, AuditChainVersion version, AuditChainKey? key, bool edit = true)
    {
        var entries = await factory.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).ToListAsync());
        var sealWith = key ?? AuditChainKey.From(Convert.FromBase64String(ApiFactory.AuditChainKey));
        var previous = fromId == 1 ? AuditEntry.GenesisHash : entries.Single(e => e.Id == fromId - 1).Hash;
        foreach (var entry in entries.Where(e => e.Id >= fromId))
        {
            if (edit)
            {
                typeof(AuditEntry).GetProperty(nameof(AuditEntry.Detail))!.SetValue(entry, "nothing to see here");
            }

            typeof(AuditEntry).GetProperty(nameof(AuditEntry.ChainVersion))!.SetValue(entry, version);
            entry.Seal(entry.Id, previous, sealWith);
            previous = entry.Hash;
            await AsOwnerAsync(
                factory,
                "UPDATE audit_entries SET detail = @detail, chain_version = @version, previous_hash = @previous, hash = @hash WHERE id = @id",
                new NpgsqlParameter("detail", (object?)entry.Detail ?? DBNull.Value),
                new NpgsqlParameter("version", (short)version),
                new NpgsqlParameter("previous", entry.PreviousHash),
                new NpgsqlParameter("hash", entry.Hash),
                new NpgsqlParameter("id", entry.Id));
        }
    }

    /// <summary>As the owner, who must drop the append-only trigger first (the test server's role is the owner).</summary>
    private static Task AsOwnerAsync(ApiFactory factory, string sql, params NpgsqlParameter[] parameters) =>
        AsOwnerAsync(factory, sql, 1, parameters);

    private static async Task AsOwnerAsync(ApiFactory factory, string sql, int expectedRows, params NpgsqlParameter[] parameters)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries", connection))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        (await command.ExecuteNonQueryAsync()).Should().Be(expectedRows);
    }
}
