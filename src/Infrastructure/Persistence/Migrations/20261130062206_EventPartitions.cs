using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Persistence.Partitions;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class EventPartitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_source_external_id",
                table: "events");

            migrationBuilder.CreateIndex(
                name: "ix_events_source_external_id",
                table: "events",
                columns: new[] { "source", "external_id" });

            // hand-written: events partitioned by month, the global key table event_keys, the partition functions, and
            // no foreign key from alerts to events. The SQL is EventPartitionsSql.Up; re-apply it after the generated
            // operations above if this migration is regenerated.
            migrationBuilder.Sql(EventPartitionsSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // hand-written: back to one unpartitioned events table (EventPartitionsSql.Down), before the generated operations.
            migrationBuilder.Sql(EventPartitionsSql.Down);

            migrationBuilder.DropIndex(
                name: "ix_events_source_external_id",
                table: "events");

            migrationBuilder.CreateIndex(
                name: "ix_events_source_external_id",
                table: "events",
                columns: new[] { "source", "external_id" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", true);
        }
    }
}
