using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Rules.Sigma;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Caching;

/// <summary>
/// The enabled detection rules of this process, compiled once. Loaded on first use and again after any change: a rule
/// or a sensor's logsource changed anywhere NOTIFYs <see cref="NotifyChannels.DetectionRules"/> (triggers of migration DetectionRules), which
/// <see cref="CacheInvalidationListener"/> turns into <see cref="Changed"/>; while the listener is down the set is
/// reloaded at most every <see cref="UntrustedTimeToLive"/>. A reload reads the rows only; a rule is compiled again only
/// when its row changed. The set is replaced whole, so ingest never sees half of a change; a stored rule that no
/// longer compiles (it compiled when saved) is left out and logged, never half-active.
/// </summary>
internal sealed partial class DetectionRuleSet(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<DetectionRuleSet> logger)
    : IDetectionRuleSet, ICacheSubscriber, IDisposable
{
    /// <summary>The bound on staleness when notifications cannot be trusted (the 2 s for every replica).</summary>
    public static readonly TimeSpan UntrustedTimeToLive = TimeSpan.FromSeconds(1);

    internal const string LoadRulesSql = """
        SELECT id, title, level, technique, sigma, updated_at FROM detection_rules WHERE is_active ORDER BY id
        """;

    internal const string LoadSensorsSql = """
        SELECT id, logsource_product, logsource_category, logsource_service FROM sensors
        WHERE logsource_product IS NOT NULL OR logsource_category IS NOT NULL OR logsource_service IS NOT NULL
        """;

    private readonly SemaphoreSlim _loading = new(1, 1);
    private Dictionary<long, (DateTimeOffset UpdatedAt, SigmaRule? Compiled)> _compiled = [];
    private volatile Snapshot? _current;
    private long _generation;
    private volatile bool _trusted;

    public async ValueTask<ActiveRules> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_current) is { } rules)
        {
            return rules;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(_current) is { } loaded)
            {
                return loaded;
            }

            // Read the generation first: a change notified while loading makes this load stale at once.
            var generation = Interlocked.Read(ref _generation);
            var at = clock.GetUtcNow();
            var set = await LoadAsync(cancellationToken);
            _current = new Snapshot(set, generation, at);
            return set;
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Changed() => Interlocked.Increment(ref _generation);

    string ICacheSubscriber.Channel => NotifyChannels.DetectionRules;

    /// <summary>Rules are reloaded on the notification only (a change saved here is heard a moment later, as everywhere).</summary>
    string? ICacheSubscriber.PayloadOf(object entity, EntityState state) => null;

    void ICacheSubscriber.Apply(string payload) => Changed();

    public void Dispose() => _loading.Dispose();

    public void Trust()
    {
        Changed();
        _trusted = true;
    }

    public void Distrust()
    {
        _trusted = false;
        Changed();
    }

    private ActiveRules? Fresh(Snapshot? snapshot) =>
        snapshot is not null && snapshot.Generation == Interlocked.Read(ref _generation)
        && (_trusted || clock.GetUtcNow() - snapshot.LoadedAt < UntrustedTimeToLive)
            ? snapshot.Rules
            : null;

    private async Task<ActiveRules> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = new List<(long Id, string Title, RuleLevel Level, string? Technique, string Sigma, DateTimeOffset UpdatedAt)>();
        await using (var command = new NpgsqlCommand(LoadRulesSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), (RuleLevel)reader.GetInt16(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        var logsources = new Dictionary<long, SigmaLogsource>();
        await using (var command = new NpgsqlCommand(LoadSensorsSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                logsources[reader.GetInt64(0)] = new SigmaLogsource(
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3));
            }
        }

        var compiled = new Dictionary<long, (DateTimeOffset, SigmaRule?)>(rows.Count);
        var active = new List<ActiveRule>(rows.Count);
        foreach (var row in rows)
        {
            var rule = _compiled.TryGetValue(row.Id, out var known) && known.UpdatedAt == row.UpdatedAt ? known.Compiled : Compile(row.Id, row.Sigma);
            compiled[row.Id] = (row.UpdatedAt, rule);
            if (rule is not null)
            {
                active.Add(new ActiveRule(row.Id, rule, new RuleMatch(row.Id, row.Title, row.Level, row.Technique)));
            }
        }

        _compiled = compiled;
        return new ActiveRules(active, logsources);
    }

    private SigmaRule? Compile(long id, string sigma)
    {
        try
        {
            return SigmaCompiler.Compile(sigma);
        }
        catch (SigmaException e)
        {
            LogNotCompiled(logger, id, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Detection rule {RuleId} no longer compiles and is left out of the active set: {Problem}")]
    private static partial void LogNotCompiled(ILogger logger, long ruleId, string problem);

    private sealed record Snapshot(ActiveRules Rules, long Generation, DateTimeOffset LoadedAt);
}
