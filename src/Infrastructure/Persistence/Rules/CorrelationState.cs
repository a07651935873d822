using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using ThreatPlatform.Application.Rules.Common;

namespace ThreatPlatform.Infrastructure.Persistence.Rules;

/// <summary>The correlations' state written through the request's context, in the transaction its next save commits.</summary>
internal sealed class CorrelationState(ApplicationDbContext db) : ICorrelationState
{
    public async Task<IReadOnlyList<int>> ObserveAsync(IReadOnlyList<CorrelationObservation> observations, CancellationToken cancellationToken)
    {
        // The save that follows commits the counts with the event (and a refused save rolls them back).
        await db.EnlistInNextSaveAsync(cancellationToken);

        return await CorrelationStore.ObserveAsync(
            (NpgsqlConnection)db.Database.GetDbConnection(),
            (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction(),
            observations,
            cancellationToken);
    }
}
