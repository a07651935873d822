using Npgsql;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Infrastructure.Persistence.Replica;

/// <summary>One request's choice of where its queries read, made once, the first time a query asks.</summary>
internal sealed class ReadRoute(ReplicaMonitor monitor, ICurrentUser currentUser, NpgsqlDataSource primary, ReplicaDataSource replica)
{
    private ReadTarget? _target;

    public ReadTarget Target => _target ??= monitor.Choose(currentUser.Id);

    public NpgsqlDataSource DataSource => Target == ReadTarget.Replica ? replica.DataSource : primary;
}

/// <summary>
/// Read-your-writes: after a person's write, the primary's WAL insert position. Taken after the commit, in a round
/// trip of its own (a position read inside the transaction would come before its commit record, which is what makes
/// the change visible on the replica); only people's commands pay it, never a sensor's ingest.
/// </summary>
internal sealed partial class PrimaryWritePositions(NpgsqlDataSource primary, WritePositions positions) : IReadYourWrites
{
    internal const string Sql = "SELECT pg_current_wal_insert_lsn() /* read-your-writes */";

    public async ValueTask WroteAsync(long userId, CancellationToken cancellationToken)
    {
        ulong lsn;
        try
        {
            await using var command = primary.CreateCommand(Sql);
            lsn = (ulong)(NpgsqlTypes.NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (NpgsqlException)
        {
            // The write committed; its answer must not turn into an error now. Until the entry expires (the lag the
            // replica is allowed), this person reads from the primary.
            lsn = WritePositions.Unknown;
        }

        positions.Record(userId, lsn);
    }
}

/// <summary>No read replica: every query reads the primary, so there is nothing to remember.</summary>
internal sealed class NoReadReplica : IReadYourWrites
{
    public ValueTask WroteAsync(long userId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
