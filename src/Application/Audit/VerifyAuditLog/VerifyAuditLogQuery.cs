using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Application.Audit.VerifyAuditLog;

/// <summary>
/// The outcome of walking the chain: <see cref="FirstBadId"/> is the first entry that was edited, or that follows a
/// deleted one, or (when the table ends before the checkpoint) the first missing one; <see cref="Problem"/> says which,
/// in words; <see cref="CheckpointId"/> is the entry the newest checkpoint names (null: none was found).
/// </summary>
public sealed record AuditVerification(bool Ok, long Checked, long? FirstBadId, string? Problem = null, long? CheckpointId = null);

/// <summary>
/// GET /api/audit/verify/: recomputes every entry's hash, oldest first, checks each names its predecessor's, and that the
/// chain reaches the newest checkpoint's entry with the hash it names.
/// </summary>
public sealed record VerifyAuditLogQuery : IQuery<AuditVerification>;

public sealed class VerifyAuditLogQueryHandler(IApplicationDbContext db, AuditChainKey key, IAuditCheckpoints checkpoints)
    : IQueryHandler<VerifyAuditLogQuery, AuditVerification>
{
    public async ValueTask<AuditVerification> Handle(VerifyAuditLogQuery query, CancellationToken cancellationToken)
    {
        // Read before the table: a checkpoint published meanwhile names an entry the walk will still find.
        var checkpoint = await checkpoints.LatestAsync(cancellationToken);
        var walk = new AuditChainWalk(key, checkpoint);
        // Streamed in id order: the whole log is never in memory at once.
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (walk.Next(entry) is { } fault)
            {
                return Failed(walk, fault, checkpoint);
            }
        }

        return walk.End() is { } end
            ? Failed(walk, end, checkpoint)
            : new AuditVerification(true, walk.Checked, null, null, checkpoint?.Id);
    }

    private static AuditVerification Failed(AuditChainWalk walk, AuditChainFault fault, AuditCheckpoint? checkpoint) =>
        new(false, walk.Checked, fault.EntryId, Describe(fault), checkpoint?.Id);

    /// <summary>The fault in words, its kind first (e.g. <c>truncated: …</c>).</summary>
    public static string Describe(AuditChainFault fault) => fault.Kind switch
    {
        AuditChainFaultKind.Gap => Text($"gap: entry {fault.EntryId} does not name the hash of the entry before it (an entry was deleted or edited)"),
        AuditChainFaultKind.Edited => Text($"edited: entry {fault.EntryId}'s hash does not match its content under the chain key"),
        AuditChainFaultKind.UnkeyedAfterKeyed => Text($"unkeyed: entry {fault.EntryId} claims the unkeyed SHA-256 rule after keyed entries"),
        AuditChainFaultKind.UnknownVersion => Text($"unknown_version: entry {fault.EntryId} names an unknown chain version"),
        AuditChainFaultKind.CheckpointMismatch when fault.StoredHash is null => Text(
            $"rewritten: the checkpoint names entry {fault.Checkpoint!.Id} with hash {fault.Checkpoint.Hash}, the table has no entry {fault.EntryId}"),
        AuditChainFaultKind.CheckpointMismatch => Text(
            $"rewritten: the checkpoint names entry {fault.Checkpoint!.Id} with hash {fault.Checkpoint.Hash}, the table's entry {fault.EntryId} has hash {fault.StoredHash}"),
        AuditChainFaultKind.Truncated => Text(
            $"truncated: the checkpoint names entry {fault.Checkpoint!.Id} with hash {fault.Checkpoint.Hash}, the table ends at {fault.TableEnd}"),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault.Kind, null),
    };

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
