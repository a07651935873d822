using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>
/// A sensor's name is unique (case-insensitively) and a source has one owner. Checked before saving for a clear 409, and
/// again after a unique index refused the save (another request won the race between check and insert).
/// </summary>
internal static class SensorConflicts
{
    public static async Task ThrowIfTakenAsync(IApplicationDbContext db, Sensor sensor, CancellationToken cancellationToken)
    {
        if (await db.Sensors.AsNoTracking().AnyAsync(s => s.NormalizedName == sensor.NormalizedName && s.Id != sensor.Id, cancellationToken))
        {
            throw new Conflict("A sensor with that name already exists.", nameof(Sensor.Name));
        }

        var sources = sensor.Sources.Select(s => s.Source).ToList();
        var owned = await db.SensorSources.AsNoTracking()
            .Where(s => sources.Contains(s.Source) && s.SensorId != sensor.Id)
            .OrderBy(s => s.Source)
            .Select(s => s.Source)
            .FirstOrDefaultAsync(cancellationToken);
        if (owned is not null)
        {
            throw new Conflict($"The source '{owned}' is owned by another sensor.", nameof(Sensor.Sources));
        }
    }

    /// <summary>Saves; a unique index's refusal becomes the 409 it stands for.</summary>
    public static async Task SaveAsync(IApplicationDbContext db, Sensor sensor, CancellationToken cancellationToken)
    {
        if (await db.TrySaveChangesAsync(cancellationToken) == SaveResult.Saved)
        {
            return;
        }

        await ThrowIfTakenAsync(db, sensor, cancellationToken);
        throw new InvalidOperationException("A unique index refused a sensor whose name and sources are free.");
    }
}
