using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Infrastructure.Persistence.Audit;

/// <summary>
/// The request's pending audit entries, and how they join the chain: inside the saving transaction, under one advisory
/// lock (so concurrent appends line up in one order), each entry takes the next number after the last stored entry and
/// hashes (HMAC-SHA256 with the chain key) over the last stored hash. Written with plain INSERTs (the chain decides the
/// ids, not EF Core). Every written entry is also a structured log event (category ThreatPlatform.Audit), and once the
/// transaction that wrote them commits, the newest is published as a signed checkpoint (<see cref="AuditCheckpointFile"/>).
/// </summary>
public sealed class AuditChain(IAuditContext context, TimeProvider clock, ILoggerFactory loggers, AuditChainKey key, AuditCheckpointFile checkpoints) : IAuditLog
{
    private readonly List<Func<AuditEntry>> _pending = [];
    private readonly ILogger _log = loggers.CreateLogger("ThreatPlatform.Audit");

    // The newest entry appended in a transaction not yet committed: published when that transaction commits.
    private (long Id, string Hash, Guid Transaction)? _uncommittedHead;

    public void Record(AuditAction action, Func<string?> target, string? detail = null, long? actorId = null, string? actorName = null)
    {
        var at = clock.GetUtcNow();
        var actor = actorId ?? context.ActorId;
        var name = actorName ?? context.ActorName;
        var address = context.ClientAddress;
        _pending.Add(() => AuditEntry.Record(action, at, actor, name, address, target(), detail));
    }

    internal bool HasPending => _pending.Count > 0;

    /// <summary>
    /// One entry per status change the tracked alerts are about to store (so every path that changes a status, single
    /// or bulk, is audited the same way). Read before the save, while the changes are still "added".
    /// </summary>
    internal List<AuditEntry> CollectStatusChanges(ApplicationDbContext db)
    {
        var entries = new List<AuditEntry>();
        foreach (var alert in db.ChangeTracker.Entries<Alert>().Where(e => e.State != EntityState.Added).Select(e => e.Entity))
        {
            foreach (var change in alert.History.Where(c => c.Action == AlertHistoryAction.Status && db.Entry(c).State == EntityState.Added))
            {
                entries.Add(AuditEntry.Record(
                    AuditAction.AlertStatusChanged,
                    change.ChangedAt,
                    change.ChangedById,
                    context.ActorId == change.ChangedById ? context.ActorName : null,
                    context.ClientAddress,
                    AuditTargets.Alert(alert.Id),
                    $"{change.FromStatus?.ToWire()} -> {change.ToStatus?.ToWire()}"));
            }
        }

        return entries;
    }

    /// <summary>
    /// Numbers, hashes and inserts the recorded entries (their targets read now, after the save gave new rows their ids)
    /// and <paramref name="derived"/>; the caller's transaction must be open. Answers what it wrote.
    /// </summary>
    internal async Task<IReadOnlyList<AuditEntry>> AppendAsync(ApplicationDbContext db, IReadOnlyList<AuditEntry> derived, CancellationToken cancellationToken)
    {
        var entries = _pending.Select(make => make()).Concat(derived).ToList();
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLocks.AuditChain}, 0)", cancellationToken);
        var last = await db.AuditEntries.AsNoTracking()
            .OrderByDescending(a => a.Id)
            .Select(a => new { a.Id, a.Hash })
            .FirstOrDefaultAsync(cancellationToken);
        var id = last?.Id ?? 0;
        var previous = last?.Hash ?? AuditEntry.GenesisHash;
        foreach (var entry in entries)
        {
            entry.Seal(++id, previous, key);
            previous = entry.Hash;
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO audit_entries (id, at, actor_id, actor, client_address, action, target, detail, previous_hash, hash, chain_version)
                VALUES (@id, @at, @actor_id, @actor, @client_address, @action, @target, @detail, @previous_hash, @hash, @chain_version)
                """,
                [
                    new NpgsqlParameter("id", entry.Id),
                    new NpgsqlParameter("at", entry.At),
                    new NpgsqlParameter("actor_id", (object?)entry.ActorId ?? DBNull.Value),
                    new NpgsqlParameter("actor", (object?)entry.Actor ?? DBNull.Value),
                    new NpgsqlParameter("client_address", (object?)entry.ClientAddress ?? DBNull.Value),
                    new NpgsqlParameter("action", (short)entry.Action),
                    new NpgsqlParameter("target", (object?)entry.Target ?? DBNull.Value),
                    new NpgsqlParameter("detail", (object?)entry.Detail ?? DBNull.Value),
                    new NpgsqlParameter("previous_hash", entry.PreviousHash),
                    new NpgsqlParameter("hash", entry.Hash),
                    new NpgsqlParameter("chain_version", (short)entry.ChainVersion),
                ],
                cancellationToken);
        }

        if (entries.Count > 0)
        {
            _uncommittedHead = (entries[^1].Id, entries[^1].Hash, db.Database.CurrentTransaction!.TransactionId);
        }

        return entries;
    }

    /// <summary>
    /// A transaction of this context committed: when it is the one that appended, the newest entry it wrote goes out as
    /// a checkpoint (never before the commit: a checkpoint naming an entry that was rolled back would be a false alarm).
    /// </summary>
    internal async Task CommittedAsync(Guid transaction)
    {
        if (_uncommittedHead is { } head && head.Transaction == transaction)
        {
            _uncommittedHead = null;
            await checkpoints.PublishAsync(head.Id, head.Hash);
        }
    }

    /// <summary>A transaction of this context rolled back: what it appended is gone, so is its checkpoint.</summary>
    internal void RolledBack(Guid transaction)
    {
        if (_uncommittedHead is { } head && head.Transaction == transaction)
        {
            _uncommittedHead = null;
        }
    }

    /// <summary>After the commit: the recorded entries are gone from the queue and out to the log.</summary>
    internal void Written(IReadOnlyList<AuditEntry> entries)
    {
        _pending.Clear();
        foreach (var entry in entries)
        {
            _log.LogInformation(
                "Audit {AuditAction} by {AuditActor} (user {AuditActorId}) from {ClientAddress} on {AuditTarget}: {AuditDetail} [#{AuditId} {AuditHash}]",
                entry.Action.ToWire(), entry.Actor, entry.ActorId, entry.ClientAddress, entry.Target, entry.Detail, entry.Id, entry.Hash);
        }
    }

    /// <summary>A failed save drops what was recorded for it, as it forgets the entities it tried to add.</summary>
    internal void Failed() => _pending.Clear();
}
