using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ThreatPlatform.Infrastructure.Persistence.Replica;

/// <summary>
/// /health/ready's view of the read replica: Degraded (still 200) when it is down, lags too much or has fallen off the
/// stream, since the queries then read from the primary and the API serves everything; never Unhealthy.
/// </summary>
internal sealed class ReplicaHealthCheck(ReplicaMonitor monitor, NpgsqlDataSource primary) : IHealthCheck
{
    /// <summary>The state of the replica's replication slot on the primary (null: it names none, or none is there).</summary>
    internal const string SlotSql = "SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1 /* replica health */";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = await monitor.RefreshAsync(cancellationToken);
        if (!snapshot.Usable)
        {
            return HealthCheckResult.Degraded($"{snapshot.Problem}: queries read from the primary");
        }

        var slot = snapshot.SlotName is { Length: > 0 } name ? await SlotAsync(name, cancellationToken) : null;
        return Describe(snapshot, slot, monitor.MaxLag) is { } problem
            ? HealthCheckResult.Degraded(problem)
            : HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"streaming, {snapshot.LagSeconds:0.0} s behind"));
    }

    /// <summary>
    /// Why a reachable standby does not serve reads, or null when it does. A replica whose slot is lost (it fell more
    /// than max_slot_wal_keep_size behind, and the primary removed WAL it had not received) or whose slot is gone can
    /// never catch up by itself: that is said first, since waiting does not help and the replica must be rebuilt.
    /// </summary>
    internal static string? Describe(ReplicaSnapshot snapshot, SlotState? slot, TimeSpan maxLag)
    {
        switch (slot)
        {
            case { WalStatus: "lost" }:
                return $"fallen off the stream for good: the primary removed WAL it had not sent (slot {slot.Name} lost, "
                       + "more than max_slot_wal_keep_size behind); rebuild the replica: queries read from the primary";
            case { WalStatus: null }:
                return $"cannot stream: its replication slot {slot.Name} does not exist on the primary; rebuild the replica "
                       + "or create the slot: queries read from the primary";
        }

        if (snapshot.LagSeconds is not { } lag || lag > maxLag.TotalSeconds)
        {
            var behind = snapshot.LagSeconds is { } seconds ? seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "an unknown time";
            var receiver = snapshot.Receiving ? string.Empty : ", no WAL receiver connected";
            var risk = slot is { WalStatus: "unreserved" } ? $", slot {slot.Name} about to lose WAL it needs (past max_wal_size)" : string.Empty;
            return string.Create(CultureInfo.InvariantCulture,
                $"{behind} behind{receiver}{risk}, more than Database:ReplicaMaxLagSeconds ({maxLag.TotalSeconds:0}): queries read from the primary");
        }

        return null;
    }

    /// <summary>The slot's wal_status on the primary; null when it has no such slot or the primary cannot say (the
    /// database's own check reports a primary that is down).</summary>
    private async Task<SlotState?> SlotAsync(string slotName, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = primary.CreateCommand(SlotSql);
            command.Parameters.Add(new NpgsqlParameter { Value = slotName });
            return new SlotState(slotName, await command.ExecuteScalarAsync(cancellationToken) as string);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}

/// <summary>The replica's replication slot as the primary sees it: wal_status reserved, extended, unreserved or lost; null when absent.</summary>
internal sealed record SlotState(string Name, string? WalStatus);
