using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>
/// The documented filters, search and orderings are index lookups on a large table: the exact SQL the API runs
/// (captured from EF Core, parameters and all) is EXPLAINed, and no plan may scan alerts or events sequentially.
/// </summary>
public sealed class QueryPlanTests(QueryPlanTests.SeededApiFactory factory) : IClassFixture<QueryPlanTests.SeededApiFactory>
{
    public static TheoryData<string> ListQueries => new()
    {
        "/api/alerts/?status=OPEN",
        "/api/alerts/?status=OPEN,ACKNOWLEDGED&ordering=-updated_at",
        "/api/alerts/?event__severity=CRITICAL&ordering=-event__severity",
        "/api/alerts/?event__source=sensor-7",
        "/api/alerts/?event__event_type=type-3",
        "/api/alerts/?created_at__gte=2026-11-20T00:00:00Z",
        "/api/alerts/?search=needle",
        "/api/alerts/?status=OPEN&event__severity=CRITICAL&search=needle&ordering=-created_at",
        "/api/alerts/?ordering=status&status=IN_PROGRESS",
        "/api/alerts/?assignee=1",
        "/api/alerts/?assignee=none",
        "/api/alerts/?tags=needle",
        "/api/alerts/?tags=needle,vip&status=OPEN",
        "/api/alerts/?sla_breached=true",
        "/api/alerts/?sla_breached=true&event__severity=CRITICAL",
        "/api/events/?severity=CRITICAL",
        "/api/events/?source=sensor-7&ordering=-timestamp",
        "/api/events/?event_type=type-3",
        "/api/events/?occurred_at__gte=2026-11-20T00:00:00Z&ordering=occurred_at",
        "/api/events/?search=needle",
        "/api/alerts/?detection__technique=T1059",
        "/api/alerts/?detection__confidence__gte=0.9",
        "/api/events/?detection__technique=T1059.001",
        "/api/events/?detection__confidence__gte=0.9&ordering=-timestamp",
    };

    [Theory]
    [MemberData(nameof(ListQueries))]
    public async Task No_documented_list_query_scans_a_large_table_sequentially(string uri)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        factory.Captured.Clear();

        await analyst.GetJsonAsync(uri);

        var statements = factory.Captured.Where(c => c.Text.Contains("FROM events", StringComparison.Ordinal)
            || c.Text.Contains("FROM alerts", StringComparison.Ordinal)).ToList();
        statements.Should().NotBeEmpty();
        foreach (var statement in statements)
        {
            var plan = await factory.ExplainAsync(statement);
            plan.Should().NotContain("Seq Scan on alerts", because: $"{uri} ran{Environment.NewLine}{statement.Text}{Environment.NewLine}{plan}");
            plan.Should().NotContain("Seq Scan on events", because: $"{uri} ran{Environment.NewLine}{statement.Text}{Environment.NewLine}{plan}");
        }
    }

    [Fact]
    public async Task Tags_filter_is_array_containment_served_by_the_gin_index()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        factory.Captured.Clear();

        await analyst.GetJsonAsync("/api/alerts/?tags=needle,vip");

        var count = factory.Captured.First(c => c.Text.Contains("count(*)", StringComparison.Ordinal));
        count.Text.Should().ContainAny("@>", "<@");  // "given <@ tags" is the same containment, GIN-indexable either way
        (await factory.ExplainAsync(count)).Should().Contain("ix_alerts_tags");
    }

    public sealed record CapturedCommand(string Text, IReadOnlyList<NpgsqlParameter> Parameters);

    /// <summary>An API on a database seeded with 200,000 events (a third of them severe, so ~67,000 alerts), analysed.</summary>
    public sealed class SeededApiFactory : ApiFactory, IAsyncLifetime
    {
        public ConcurrentQueue<CapturedCommand> Captured { get; } = new();

        public new async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var seed = new NpgsqlCommand(
                """
                INSERT INTO events (source, event_type, severity, description, occurred_at, timestamp)
                SELECT 'sensor-' || (i % 50), 'type-' || (i % 40), 1 + (i % 4),
                       CASE WHEN i % 5000 = 0 THEN 'needle in the haystack ' || i ELSE 'routine traffic sample ' || md5(i::text) END,
                       timestamptz '2026-10-01' + i * interval '20 seconds', timestamptz '2026-10-01' + i * interval '20 seconds'
                FROM generate_series(1, 200000) AS i;
                INSERT INTO alerts (event_id, status, severity, source, event_type, description, created_at, updated_at)
                SELECT id, CASE WHEN id % 20 = 0 THEN 1 WHEN id % 20 = 1 THEN 2 WHEN id % 20 = 2 THEN 3 ELSE 4 END,
                       severity, source, event_type, description, timestamp, timestamp
                FROM events WHERE severity >= 3;
                -- Triage: most alerts are assigned (the unassigned queue is the small part), a few are tagged. Alerts
                -- raised since the SLA release (the last days) have due times (CRITICAL 15 min / 4 h, HIGH 1 h / 24 h),
                -- older ones none, as after the migration; most steps happened in time, a few late.
                INSERT INTO users (username, normalized_username, email, normalized_email, password_hash, role, is_active,
                                   date_joined, awaiting_approval)
                VALUES ('plan', 'plan', 'plan@example.org', 'plan@example.org', 'x', 1, true, now(), false);
                UPDATE alerts SET
                    assignee_id = CASE WHEN id % 25 = 0 THEN NULL ELSE (SELECT min(id) FROM users) END,
                    tags = CASE WHEN id % 3000 = 0 THEN ARRAY['needle', 'vip'] WHEN id % 7 = 0 THEN ARRAY['routine'] ELSE '{}' END,
                    first_acknowledged_at = CASE WHEN status > 1 THEN created_at + CASE WHEN id % 500 = 3 THEN interval '2 hours' ELSE interval '5 minutes' END END,
                    closed_at = CASE WHEN status > 3 THEN created_at + CASE WHEN id % 500 = 4 THEN interval '2 days' ELSE interval '30 minutes' END END;
                UPDATE alerts SET
                    ack_due_at = created_at + CASE WHEN severity = 4 THEN interval '15 minutes' ELSE interval '1 hour' END,
                    resolve_due_at = created_at + CASE WHEN severity = 4 THEN interval '4 hours' ELSE interval '24 hours' END
                WHERE created_at >= timestamptz '2026-11-12';
                UPDATE alerts SET acknowledged_late = first_acknowledged_at > ack_due_at, closed_late = closed_at > resolve_due_at
                WHERE ack_due_at IS NOT NULL AND (first_acknowledged_at > ack_due_at OR closed_at > resolve_due_at);
                """,
                connection);
            seed.CommandTimeout = 300;
            await seed.ExecuteNonQueryAsync();

            // VACUUM runs alone (not in a multi-statement batch); it also fills the visibility map for index-only scans.
            foreach (var table in new[] { "events", "alerts" })
            {
                await using var vacuum = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection);
                await vacuum.ExecuteNonQueryAsync();
            }
        }

        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.ConfigureTestServices(services =>
                services.ConfigureDbContext<ApplicationDbContext>(o => o.AddInterceptors(new CaptureCommands(Captured))));

        public async Task<string> ExplainAsync(CapturedCommand command)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var explain = new NpgsqlCommand("EXPLAIN " + command.Text, connection);
            foreach (var parameter in command.Parameters)
            {
                explain.Parameters.Add(parameter.Clone());
            }

            var lines = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }

            return string.Join(Environment.NewLine, lines);
        }
    }

    private sealed class CaptureCommands(ConcurrentQueue<CapturedCommand> captured) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command,
            CommandEventData eventData,
            InterceptionResult<DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            captured.Enqueue(new CapturedCommand(
                command.CommandText,
                command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToList()));
            return ValueTask.FromResult(result);
        }
    }
}
