using Npgsql;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Stats.GetAlertStats;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Infrastructure.Persistence.Stats;

namespace ThreatPlatform.Infrastructure.Persistence.Replica;

/// <summary>
/// One request's choice of where its queries read, made once: by the query pipeline before the handler runs
/// (<see cref="ChooseAsync"/>), else at the first read. Also read-your-writes: after a person's write, the primary's WAL
/// insert position, taken after the commit in a round trip of its own (a position read inside the transaction would
/// come before its commit record, which is what makes the change visible on the replica); only people's commands pay
/// it, never a sensor's ingest.
/// </summary>
internal sealed class ReadRoute(
    ReplicaMonitor monitor,
    WritePositions positions,
    ICurrentUser currentUser,
    NpgsqlDataSource primary,
    ReplicaDataSource replica) : IReadRouting
{
    internal const string WritePositionSql = "SELECT pg_current_wal_insert_lsn() /* read-your-writes */";

    // Made for one caller: a query run while the request is being authenticated (no user yet) does not choose for the
    // user's own queries that follow.
    private (long? UserId, ReadTarget Target)? _choice;

    public ReadTarget Target
    {
        get
        {
            var userId = currentUser.Id;
            if (_choice is not { } choice || choice.UserId != userId)
            {
                choice = (userId, monitor.Choose(userId));
                _choice = choice;
            }

            return choice.Target;
        }
    }

    public NpgsqlDataSource DataSource => Target == ReadTarget.Replica ? replica.DataSource : primary;

    public async ValueTask ChooseAsync(CancellationToken cancellationToken)
    {
        var userId = currentUser.Id;
        if (_choice is not { } choice || choice.UserId != userId)
        {
            _choice = (userId, await monitor.ChooseAsync(userId, cancellationToken));
        }
    }

    public async ValueTask WroteAsync(long userId, CancellationToken cancellationToken)
    {
        ulong lsn;
        try
        {
            // Not cancelled with the request: the write committed, and the person's next request must know it.
            await using var command = primary.CreateCommand(WritePositionSql);
            lsn = (ulong)(NpgsqlTypes.NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(CancellationToken.None))!;
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

/// <summary>The queries' view of the database, on the replica or the primary as the request's route says at first use.</summary>
internal sealed class RoutedReadDbContext(ReadRoute route, IServiceProvider services, ReplicaContextOptions replicaOptions)
    : IApplicationReadDbContext, IAsyncDisposable, IDisposable
{
    private ApplicationDbContext? _replica;

    private IApplicationReadDbContext Inner => route.Target == ReadTarget.Replica
        ? _replica ??= ApplicationDbContext.ForReading(replicaOptions.Options)
        : services.GetRequiredService<ApplicationDbContext>();

    public IQueryable<User> Users => Inner.Users;
    public IQueryable<SecurityEvent> Events => Inner.Events;
    public IQueryable<Alert> Alerts => Inner.Alerts;
    public IQueryable<AlertComment> AlertComments => Inner.AlertComments;
    public IQueryable<AuditEntry> AuditEntries => Inner.AuditEntries;
    public IQueryable<NotificationDelivery> NotificationDeliveries => Inner.NotificationDeliveries;
    public IQueryable<NotificationChannel> NotificationChannels => Inner.NotificationChannels;

    public ValueTask DisposeAsync() => _replica?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _replica?.Dispose();
}

/// <summary>The replica's context options (its own pool, nothing tracked), built once.</summary>
internal sealed record ReplicaContextOptions(DbContextOptions<ApplicationDbContext> Options);

/// <summary>The stats on the request's route.</summary>
internal sealed class RoutedAlertStatsReader(ReadRoute route, ConnectionBudget budget) : IAlertStatsReader
{
    public Task<AlertStatsFigures> ReadAsync(AlertStatsWindow window, CancellationToken cancellationToken) =>
        new AlertStatsReader(route.DataSource, budget).ReadAsync(window, cancellationToken);
}

/// <summary>No read replica: every query reads the primary, so there is nothing to choose or remember.</summary>
internal sealed class NoReadReplica : IReadRouting
{
    public ValueTask ChooseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask WroteAsync(long userId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
