using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// A cache in this process that the database's NOTIFYs on one channel keep true. <see cref="CacheInvalidationListener"/>
/// LISTENs on every subscriber's <see cref="Channel"/>, hands it each payload, and trusts it only while listening;
/// <see cref="CacheEviction"/> hands it at once the payload a change saved through this process will notify at commit.
/// Each feature's cache subscribes itself (<see cref="CacheSubscriberRegistration.AddCacheSubscriber{T}"/>), so Caching
/// knows no feature.
/// </summary>
internal interface ICacheSubscriber
{
    /// <summary>The NOTIFY channel whose payloads <see cref="Apply"/> understands (a constant identifier).</summary>
    string Channel { get; }

    /// <summary>
    /// The payload the database will NOTIFY on <see cref="Channel"/> for this entity's change (added, modified or
    /// deleted), or null when the change does not concern this cache.
    /// </summary>
    string? PayloadOf(object entity, EntityState state);

    /// <summary>One notification on <see cref="Channel"/>: evict what its payload names.</summary>
    void Apply(string payload);

    /// <summary>The listener is (back) on: start from empty, since notifications may have been missed while it was off.</summary>
    void Trust();

    /// <summary>The listener is off: nothing cached may be believed until it is back.</summary>
    void Distrust();
}

internal static class CacheSubscriberRegistration
{
    /// <summary>Registers <typeparamref name="T"/> as a singleton that the cache listener and the save interceptor notify.</summary>
    public static IServiceCollection AddCacheSubscriber<T>(this IServiceCollection services)
        where T : class, ICacheSubscriber
    {
        services.AddSingleton<T>();
        services.AddSingleton<ICacheSubscriber>(sp => sp.GetRequiredService<T>());
        return services;
    }
}
