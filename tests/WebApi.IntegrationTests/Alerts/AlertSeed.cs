using Microsoft.EntityFrameworkCore;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>Lists at scale need rows by the ten thousand: written in one SQL statement, not through the API.</summary>
public static class AlertSeed
{
    /// <summary>
    /// <paramref name="count"/> OPEN HIGH alerts, each with its event, one minute apart from 2026-01-01, all from one new
    /// source (returned: filter by it to see only these).
    /// </summary>
    public static async Task<string> SeedAlertsAsync(this ApiFactory factory, int count)
    {
        var source = EventsApi.NewEvent()["source"]!.ToString()!;
        await factory.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            WITH e AS (
                INSERT INTO events (source, event_type, severity, description, occurred_at, "timestamp")
                SELECT {source}, 'bulk', 3, 'seeded', timestamptz '2026-01-01' + i * interval '1 minute', timestamptz '2026-01-01' + i * interval '1 minute'
                FROM generate_series(0, {count} - 1) AS i
                RETURNING id, severity, source, event_type, description, "timestamp")
            INSERT INTO alerts (event_id, status, severity, source, event_type, description, created_at, updated_at)
            SELECT id, 1, severity, source, event_type, description, "timestamp", "timestamp" FROM e
            """));
        return source;
    }
}
