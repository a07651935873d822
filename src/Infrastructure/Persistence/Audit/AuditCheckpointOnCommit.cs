using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ThreatPlatform.Infrastructure.Persistence.Audit;

/// <summary>
/// Tells the request's audit chain when a transaction of its context commits or rolls back, whoever began it (the save
/// itself, a row lock taken during dispatch, or a handler's own transaction), so checkpoints name committed entries only.
/// </summary>
internal sealed class AuditCheckpointOnCommit : DbTransactionInterceptor
{
    public static readonly AuditCheckpointOnCommit Instance = new();

    private AuditCheckpointOnCommit()
    {
    }

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is ApplicationDbContext db)
        {
            await db.AuditCommittedAsync(eventData.TransactionId);
        }
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is ApplicationDbContext db)
        {
            db.AuditCommittedAsync(eventData.TransactionId).GetAwaiter().GetResult();
        }
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as ApplicationDbContext)?.AuditRolledBack(eventData.TransactionId);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as ApplicationDbContext)?.AuditRolledBack(eventData.TransactionId);
}
