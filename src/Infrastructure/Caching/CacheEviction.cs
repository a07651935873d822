using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// A change saved through this process's DbContext is handed at once to each <see cref="ICacheSubscriber"/> it concerns,
/// as the payload the database will NOTIFY for it (a user; a sensor's keys, a changed key; any sensor or source clears
/// the source owners and the syslog senders), so the next request through this process sees it at once (a key revoked,
/// a sensor deactivated or reactivated, under load, was served from the cache until the NOTIFY arrived); other
/// processes hear of it by NOTIFY, a moment later. Evicting after the save and again after the commit of an explicit
/// transaction: a request that reads between the two can only have read the old row, and the second eviction throws
/// that away.
/// </summary>
internal sealed class CacheEviction(IEnumerable<ICacheSubscriber> subscribers) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ICacheSubscriber[] _subscribers = [.. subscribers];
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

            foreach (var subscriber in _subscribers)
            {
                if (subscriber.PayloadOf(entry.Entity, entry.State) is { } payload)
                {
                    _pending.GetOrCreateValue(context).Add((subscriber, payload));
                }
            }
        }
    }

    private void Evict(DbContext? context, bool committed)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        foreach (var (subscriber, payload) in pending)
        {
            subscriber.Apply(payload);
        }

        if (committed)
        {
            _pending.Remove(context);
        }
    }

    /// <summary>The notifications a context's unsaved or uncommitted changes will send, each once.</summary>
    private sealed class Pending : HashSet<(ICacheSubscriber Subscriber, string Payload)>;
}
