using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ThreatPlatform.Application.Events.IngestSyslog;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Infrastructure.Persistence.Schema;
using ThreatPlatform.Infrastructure.Sensors;

namespace ThreatPlatform.Infrastructure.Syslog;

/// <summary>
/// Every active sensor that has syslog networks, read in one query and kept as one map in an
/// <see cref="InvalidatedCache{TKey, TValue}"/> under key 0 (trusted while the cache listener LISTENs: a change to a
/// sensor's active flag, format, grouping, networks or sources NOTIFYs <see cref="NotifyChannels.ApiKeys"/> and empties
/// it, and a change saved in this process empties it at once). While the listener is down, a map
/// read from the database serves for <see cref="UntrustedReuse"/>, so a message stream costs a query a second, not one
/// per message. When the database cannot be read, the last map read serves until it can: messages keep their sender's
/// sensor, and the listener's batches wait for the database rather than being dropped.
/// </summary>
internal sealed class SyslogSenderDirectory(NpgsqlDataSource dataSource, TimeProvider clock) : ISyslogSenders, ICacheSubscriber, IDisposable
{
    public static readonly TimeSpan UntrustedReuse = TimeSpan.FromSeconds(1);

    internal const string Sql = """
        SELECT s.id, s.format, s.syslog_networks, s.grouping,
               ARRAY(SELECT ss.source FROM sensor_sources ss WHERE ss.sensor_id = s.id ORDER BY ss.source) AS sources
        FROM sensors s
        WHERE s.is_active AND cardinality(s.syslog_networks) > 0
        """;

    private readonly InvalidatedCache<int, SyslogSenderMap> _senders = new(clock, Caches.TimeToLive, maxEntries: 1);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private (SyslogSenderMap Map, DateTimeOffset ReadAt)? _last;

    public string Channel => NotifyChannels.ApiKeys;

    public void Dispose() => _loading.Dispose();

    /// <summary>Any sensor or source added, changed or deleted.</summary>
    public string? PayloadOf(object entity, EntityState state) => SourceOwnerCache.SensorPayload(entity);

    /// <summary>Any notification but a key's names a sensor whose state, networks or sources changed: read the map anew.</summary>
    public void Apply(string payload)
    {
        if (!payload.StartsWith(NotifyChannels.KeyPayloadPrefix, StringComparison.Ordinal))
        {
            _senders.Clear();
        }
    }

    public void Trust() => _senders.Trust();

    public void Distrust() => _senders.Distrust();

    public async ValueTask<SyslogSensor?> FindAsync(IPAddress sender, CancellationToken cancellationToken) =>
        (await MapAsync(cancellationToken)).Find(sender);

    private async ValueTask<SyslogSenderMap> MapAsync(CancellationToken cancellationToken)
    {
        if (_senders.TryGet(0, out var cached))
        {
            return cached;
        }

        if (_last is { } last && !_senders.IsTrusted && clock.GetUtcNow() - last.ReadAt < UntrustedReuse)
        {
            return last.Map;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_senders.TryGet(0, out cached))
            {
                return cached;
            }

            var generation = _senders.Generation;
            SyslogSenderMap map;
            try
            {
                map = await ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && _last is not null)
            {
                return _last.Value.Map;
            }

            _last = (map, clock.GetUtcNow());
            _senders.Store(0, map, generation);
            return map;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<SyslogSenderMap> ReadAsync(CancellationToken cancellationToken)
    {
        var entries = new List<(IPNetwork Network, SyslogSensor Sensor)>();
        await using var command = dataSource.CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var sensor = new SyslogSensor(
                reader.GetInt64(0),
                (EventFormat)reader.GetInt16(1),
                reader.GetFieldValue<string[]>(4),
                reader.GetBoolean(3));
            foreach (var text in reader.GetFieldValue<string[]>(2))
            {
                if (NetworkRanges.TryParse(text, out var network))
                {
                    entries.Add((network, sensor));
                }
            }
        }

        return new SyslogSenderMap(entries);
    }
}

/// <summary>Networks to sensors, narrowest network first (then lowest sensor id), and each address's answer remembered.</summary>
internal sealed class SyslogSenderMap
{
    private const int MaxRemembered = 10_000;

    private readonly (IPNetwork Network, SyslogSensor Sensor)[] _entries;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPAddress, SyslogSensor?> _byAddress = new();

    public SyslogSenderMap(IEnumerable<(IPNetwork Network, SyslogSensor Sensor)> entries) =>
        _entries = [.. entries.OrderByDescending(e => e.Network.PrefixLength).ThenBy(e => e.Sensor.Id)];

    public SyslogSensor? Find(IPAddress sender)
    {
        var plain = NetworkRanges.Plain(sender);
        if (_byAddress.TryGetValue(plain, out var known))
        {
            return known;
        }

        SyslogSensor? found = null;
        foreach (var (network, sensor) in _entries)
        {
            if (NetworkRanges.Contains([network], plain))
            {
                found = sensor;
                break;
            }
        }

        if (_byAddress.Count < MaxRemembered)
        {
            _byAddress[plain] = found;
        }

        return found;
    }
}
