using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Application.Audit.VerifyAuditLog;

/// <summary>The outcome of walking the chain: <see cref="FirstBadId"/> is the first entry that was edited, or that follows a deleted one.</summary>
public sealed record AuditVerification(bool Ok, long Checked, long? FirstBadId);

/// <summary>GET /api/audit/verify/: recomputes every entry's hash, oldest first, and checks each names its predecessor's.</summary>
public sealed record VerifyAuditLogQuery : IQuery<AuditVerification>;

public sealed class VerifyAuditLogQueryHandler(IApplicationDbContext db) : IQueryHandler<VerifyAuditLogQuery, AuditVerification>
{
    public async ValueTask<AuditVerification> Handle(VerifyAuditLogQuery query, CancellationToken cancellationToken)
    {
        var previous = AuditEntry.GenesisHash;
        long checkedCount = 0;
        // Streamed in id order: the whole log is never in memory at once.
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(a => a.Id).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            checkedCount++;
            if (!entry.FollowsIntact(previous))
            {
                return new AuditVerification(false, checkedCount, entry.Id);
            }

            previous = entry.Hash;
        }

        return new AuditVerification(true, checkedCount, null);
    }
}
