using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// A change saved through this process's DbContext evicts what it touches from <see cref="Caches"/> (a user; any
/// sensor or source clears the source owners) and from the <see cref="Sensors.ApiKeyCache"/> (a sensor's keys, a
/// changed key), so the next request through this process sees it at once (a key revoked, a sensor deactivated or
/// reactivated, under load, was served from the cache until the NOTIFY arrived); other
/// processes hear of it by NOTIFY, a moment later. Evicting after the save and again after the commit of an explicit
/// transaction: a request that reads between the two can only have read the old row, and the second eviction throws
/// that away.
/// </summary>
internal sealed class CacheEviction(Caches caches, Sensors.ApiKeyCache apiKeys) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Evict(eventData.Context, committed: eventData.Context?.Database.CurrentTransaction is null);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Evict(eventData.Context, committed: eventData.Context?.Database.CurrentTransaction is null);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Evict(eventData.Context, committed: true);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Evict(eventData.Context, committed: true);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Evict(eventData.Context, committed: true);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Evict(eventData.Context, committed: true);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            if (entry.Entity is User user && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                _pending.GetOrCreateValue(context).Users.Add(user.Id);
            }
            else if (entry.Entity is Sensor or SensorSource)
            {
                _pending.GetOrCreateValue(context).Sources = true;
                if (entry.Entity is Sensor sensor && entry.State is EntityState.Modified or EntityState.Deleted)
                {
                    _pending.GetOrCreateValue(context).Sensors.Add(sensor.Id);
                }
            }
            else if (entry.Entity is ApiKey key && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                _pending.GetOrCreateValue(context).KeyPrefixes.Add(key.Prefix);
            }
        }
    }

    private void Evict(DbContext? context, bool committed)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        foreach (var id in pending.Users)
        {
            caches.Users.Evict(id);
        }

        if (pending.Sources)
        {
            caches.SourceOwners.Clear();
            caches.SyslogSenders.Clear();
        }

        foreach (var id in pending.Sensors)
        {
            apiKeys.Evict(Sensors.Notifications.SensorPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var prefix in pending.KeyPrefixes)
        {
            apiKeys.Evict(Sensors.Notifications.KeyPrefix + prefix);
        }

        if (committed)
        {
            _pending.Remove(context);
        }
    }

    private sealed class Pending
    {
        public HashSet<long> Users { get; } = [];

        public bool Sources { get; set; }

        public HashSet<long> Sensors { get; } = [];

        public HashSet<string> KeyPrefixes { get; } = [];
    }
}
