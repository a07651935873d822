using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Infrastructure.Persistence;

/// <summary>Grouping's lookup in raw SQL: FOR UPDATE, and an address match the fingerprint index serves.</summary>
internal sealed class CollectingAlerts(ApplicationDbContext db) : ICollectingAlerts
{
    public async Task<Alert?> FindAsync(AlertFingerprint fingerprint, long? ruleId, CancellationToken cancellationToken)
    {
        // FOR UPDATE holds the row until the save commits: events folding into one alert at once take turns, each
        // reading the row as the previous left it (a plain read would make all but one fail the xmin check).
        await db.EnlistInNextSaveAsync(cancellationToken);

        var sql = $"""
            SELECT alerts.*, alerts.xmin FROM alerts
            WHERE folds_events AND sensor_id = @sensor AND source = @source AND event_type = @event_type
              AND {AddressMatch("source_ip", fingerprint.SourceIp)} AND {AddressMatch("destination_ip", fingerprint.DestinationIp)}
              AND {(ruleId is null ? "rule_id IS NULL" : "rule_id = @rule_id")}
            FOR UPDATE
            """;
        List<NpgsqlParameter> parameters =
        [
            new NpgsqlParameter<long>("sensor", fingerprint.SensorId),
            new NpgsqlParameter<string>("source", fingerprint.Source),
            new NpgsqlParameter<string>("event_type", fingerprint.EventType),
        ];
        if (ruleId is { } rule)
        {
            parameters.Add(new NpgsqlParameter<long>("rule_id", rule));
        }

        if (fingerprint.SourceIp is { } sourceIp)
        {
            parameters.Add(new NpgsqlParameter<IPAddress>("source_ip", NpgsqlDbType.Inet) { TypedValue = sourceIp });
        }

        if (fingerprint.DestinationIp is { } destinationIp)
        {
            parameters.Add(new NpgsqlParameter<IPAddress>("destination_ip", NpgsqlDbType.Inet) { TypedValue = destinationIp });
        }

        var found = await db.Alerts.FromSqlRaw(sql, [.. parameters]).ToListAsync(cancellationToken);
        return found.SingleOrDefault();
    }

    // An absent address matches an absent one (as the unique index's NULLS NOT DISTINCT); written per case so the
    // fingerprint index serves the lookup (IS NOT DISTINCT FROM would not use it).
    private static string AddressMatch(string column, IPAddress? address) =>
        address is null ? $"{column} IS NULL" : $"{column} = @{column}";
}
