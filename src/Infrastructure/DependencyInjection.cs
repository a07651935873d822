using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Alerts.StreamAlerts;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Stats.GetAlertStats;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Events.IngestEvent;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Application.Users.GetUserAccess;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.Infrastructure.Identity;
using ThreatPlatform.Infrastructure.Outbox;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.Infrastructure.Persistence.AlertChanges;
using ThreatPlatform.Infrastructure.Persistence.Audit;
using ThreatPlatform.Infrastructure.Persistence.Batch;
using ThreatPlatform.Infrastructure.Persistence.GroupCommit;
using ThreatPlatform.Infrastructure.Persistence.Partitions;
using ThreatPlatform.Infrastructure.Persistence.Replica;
using ThreatPlatform.Infrastructure.Persistence.Stats;
using ThreatPlatform.Infrastructure.Sensors;

namespace ThreatPlatform.Infrastructure;

public static class DependencyInjection
{
    /// <summary>The key of the unpooled data source that LISTEN connections open from.</summary>
    public const string ListenerDataSource = "listener";

    /// <summary>The read replica's readiness check (Degraded, never Unhealthy: the primary serves the queries then).</summary>
    public const string ReplicaHealthCheck = "replica";

    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = ConnectionStrings.Resolve(
            configuration.GetConnectionString("Default"),
            configuration["DATABASE_URL"]);

        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateSettings(DatabaseOptions.Section)
            .ValidateOnStart();
        var database = Settings.Read<DatabaseOptions>(configuration, DatabaseOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<SlaOptions>()
            .Bind(configuration.GetSection(SlaOptions.Section))
            .Validate(o => o.IsValid, "Sla:<Severity>:AckMinutes and ResolveMinutes must be whole minutes from 1 to 525600.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SlaOptions>>().Value.ToPolicy());

        var dataSource = new NpgsqlDataSourceBuilder(database.Apply(ConnectionStrings.WithPoolDefaults(connectionString))).EnableDynamicJson().Build();
        services.AddSingleton(dataSource);
        var budget = database.Budget;
        services.AddSingleton(budget);
        // LISTEN connections live as long as the process: outside the pool, so they never take a request's connection.
        services.AddKeyedSingleton(ListenerDataSource, new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString).Build());
        services.AddCacheSubscriber<Caches>();
        services.AddCacheSubscriber<DetectionRuleSet>();
        services.AddSingleton<ThreatPlatform.Application.Rules.Common.IDetectionRuleSet>(sp => sp.GetRequiredService<DetectionRuleSet>());
        services.AddSingleton<CacheEviction>();
        services.AddSingleton<DomainEventDispatch>();
        services.AddHostedService<CacheInvalidationListener>();
        // Pooled: a request leases a context made earlier (with its EF Core services) instead of building one. Domain
        // events first: the other interceptors see what their handlers added.
        services.AddPooledDbContextFactory<ApplicationDbContext>((sp, options) =>
            ConfigureNpgsql(options, dataSource, budget).AddInterceptors(
                sp.GetRequiredService<DomainEventDispatch>(), sp.GetRequiredService<CacheEviction>(), AuditCheckpointOnCommit.Instance));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContext()
            .Lease(sp.GetRequiredService<Mediator.IPublisher>(), sp.GetService<AuditChain>()));
        services.AddScoped<IApplicationDbContext>(sp => sp.GetRequiredService<ApplicationDbContext>());
        services.AddScoped<ICollectingAlerts, CollectingAlerts>();
        services.AddScoped<ICorrelationState, Persistence.Rules.CorrelationState>();
        services.AddSingleton<ITextSearch, PostgresTextSearch>();
        services.AddScoped<IEventBatchWriter, EventBatchWriter>();
        services.AddOptions<GroupCommitOptions>()
            .Bind(configuration.GetSection(GroupCommitOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<GroupCommitOptions>>().Value);
        services.AddSingleton<EventGroupWriter>();
        services.AddSingleton<IEventGroupWriter>(sp => sp.GetRequiredService<EventGroupWriter>());
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.Section))
            .ValidateSettings(RetentionOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<EventPartitionMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<EventPartitionMaintenance>());
        AddSensors(services, configuration);
        services.AddOptions<ListOptions>()
            .Bind(configuration.GetSection(ListOptions.Section))
            .ValidateSettings(ListOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<ICappedCounts>(sp =>
            new CappedCounts(sp.GetRequiredService<IOptions<ListOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddIdentityServices(configuration);
        services.AddAuditTrail(configuration);
        services.AddAlertStream(configuration, connectionString);
        services.AddNotifications(configuration);
        var health = services.AddHealthChecks().AddDbContextCheck<ApplicationDbContext>("database", tags: ["ready"]);
        AddReads(services, health, database, budget, ConnectionStrings.ResolveReadOnly(configuration.GetConnectionString("ReadOnly")));
        return services;
    }

    /// <summary>
    /// Where the list, detail and stats queries read. Without ConnectionStrings:ReadOnly, the primary, through the
    /// request's one context. With it, a streaming replica, per request, unless it is down, lags more than allowed, or has
    /// not yet replayed the caller's own last write (read-your-writes); then the primary.
    /// </summary>
    private static void AddReads(IServiceCollection services, IHealthChecksBuilder health, DatabaseOptions database, ConnectionBudget budget, string? readOnly)
    {
        if (readOnly is null)
        {
            services.AddScoped<IApplicationReadDbContext>(sp => sp.GetRequiredService<ApplicationDbContext>());
            services.AddSingleton<IAlertStatsReader>(sp => new AlertStatsReader(sp.GetRequiredService<NpgsqlDataSource>(), budget));
            services.AddSingleton<IReadRouting, NoReadReplica>();
            return;
        }

        var replica = new NpgsqlDataSourceBuilder(database.Apply(ConnectionStrings.WithPoolDefaults(readOnly))).EnableDynamicJson().Build();
        services.AddSingleton(new ReplicaDataSource(replica));
        services.AddSingleton(new ReplicaContextOptions(
            (DbContextOptions<ApplicationDbContext>)ConfigureNpgsql(new DbContextOptionsBuilder<ApplicationDbContext>(), replica, budget)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options));
        services.AddSingleton<WritePositions>();
        services.AddSingleton<ReplicaMonitor>();
        services.AddScoped<ReadRoute>();
        services.AddScoped<IReadRouting>(sp => sp.GetRequiredService<ReadRoute>());
        services.AddScoped<IApplicationReadDbContext, RoutedReadDbContext>();
        services.AddScoped<IAlertStatsReader, RoutedAlertStatsReader>();
        health.AddCheck<Persistence.Replica.ReplicaHealthCheck>(ReplicaHealthCheck, tags: ["ready"]);
    }

    private static void AddSensors(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestOptions>()
            .Bind(configuration.GetSection(IngestOptions.Section))
            .ValidateSettings(IngestOptions.Section)
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<IngestOptions>>().Value);
        services.AddScoped<PostgresSourceOwnership>();
        services.AddScoped<ISourceOwnership, CachedSourceOwnership>();
        services.AddSingleton<IApiKeyGenerator, RandomApiKeyGenerator>();
        services.AddCacheSubscriber<ApiKeyCache>();
        services.AddCacheSubscriber<SourceOwnerCache>();
        services.AddCacheSubscriber<Syslog.SyslogSenderDirectory>();
        services.AddSingleton<Application.Events.IngestSyslog.ISyslogSenders>(sp => sp.GetRequiredService<Syslog.SyslogSenderDirectory>());
        services.AddSingleton<IApiKeyRows, PostgresApiKeyRows>();
        services.AddSingleton<IApiKeyCredentials, ApiKeyCredentialStore>();
    }

    /// <summary>The live alert stream: the change log, and this process's one LISTEN connection fanned out to its clients.</summary>
    private static void AddAlertStream(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.AddOptions<AlertStreamOptions>()
            .Bind(configuration.GetSection(AlertStreamOptions.Section))
            .ValidateSettings(AlertStreamOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IAlertChangeLog, AlertChangeLog>();
        services.AddSingleton(new AlertChangeListenerConnection(
            new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString));
        services.AddSingleton<AlertChangeFeed>();
        services.AddSingleton<IAlertChangeFeed>(sp => sp.GetRequiredService<AlertChangeFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertChangeFeed>());
    }

    internal static void ConfigureNpgsql(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    // A refused save (e.g. a duplicate event the handler answers with the stored one) is not an error in itself; an
    // unhandled one is logged once, with its trace id, by the API's exception handler.
    private static DbContextOptionsBuilder ConfigureNpgsql(DbContextOptionsBuilder options, NpgsqlDataSource dataSource, ConnectionBudget budget) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(new ConnectionBudgetInterceptor(budget))
            .ConfigureWarnings(w => w.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug)));
}
