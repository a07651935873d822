using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>
/// A sensor taking on sources that already hold events somebody else wrote (a user token, or another sensor before it
/// gave the source up). Until a sensor owns a source, anyone who may ingest may write it: left alone, events seeded there
/// before the sensor exists would hold the sensor's future (source, external_id) keys, so its own events would be
/// refused as duplicates or conflicts of the seeded ones.
/// <para>
/// So the claim is refused (409 naming sources, with the count per source) unless the admin confirms it. A confirmed
/// claim frees the idempotency keys those other writers' events hold in the claimed sources, in the transaction that
/// saves the claim, and is audited (<see cref="AuditAction.SensorSourcesClaimed"/>, naming sources and counts). The
/// events stay as they are, attributed to whoever wrote them; the sensor's own events with the same external ids are
/// then stored, and raise their alerts, as if the seeded ones had never been sent.
/// </para>
/// </summary>
internal static class SourceClaims
{
    /// <param name="sensor">The sensor, created or changed but not saved yet.</param>
    /// <param name="claimed">The sources it is taking on now (those it already owned are not looked at again).</param>
    /// <param name="confirmed">The admin confirmed the claim of sources holding other writers' events.</param>
    public static async Task ClaimAsync(
        IApplicationDbContext db,
        IAuditLog audit,
        Sensor sensor,
        IReadOnlyCollection<string> claimed,
        bool confirmed,
        CancellationToken cancellationToken)
    {
        if (claimed.Count == 0)
        {
            return;
        }

        // A sensor not saved yet has written nothing: every stored event of the sources is somebody else's.
        long? sensorId = sensor.Id == 0 ? null : sensor.Id;
        var sources = claimed.ToList();
        var counts = (await db.Events.AsNoTracking()
                .Where(e => sources.Contains(e.Source) && (sensorId == null || e.SensorId == null || e.SensorId != sensorId))
                .GroupBy(e => e.Source)
                .Select(g => new { Source = g.Key, Events = g.LongCount() })
                .ToListAsync(cancellationToken))
            .OrderBy(c => c.Source, StringComparer.Ordinal)
            .ToDictionary(c => c.Source, c => c.Events, StringComparer.Ordinal);
        if (counts.Count == 0)
        {
            return;
        }

        if (!confirmed)
        {
            throw new SourcesHoldOthersEvents(counts);
        }

        await db.ReleaseEventKeysAsync(counts.Keys, sensorId, cancellationToken);
        audit.Record(
            AuditAction.SensorSourcesClaimed,
            () => AuditTargets.Sensor(sensor.Id),
            $"claimed sources holding events written by others: {Describe(counts)}; their idempotency keys were released");
    }

    public static string Describe(IReadOnlyDictionary<string, long> counts) =>
        string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"));
}

/// <summary>
/// Sources a sensor is to own already hold events written by others (409 naming <c>sources</c>): <see cref="Counts"/>
/// has the number of such events per source. WebApi says how to confirm the claim.
/// </summary>
public sealed class SourcesHoldOthersEvents(IReadOnlyDictionary<string, long> counts)
    : Conflict($"These sources already hold events written by others: {SourceClaims.Describe(counts)}.", nameof(Sensor.Sources))
{
    public IReadOnlyDictionary<string, long> Counts { get; } = counts;
}
