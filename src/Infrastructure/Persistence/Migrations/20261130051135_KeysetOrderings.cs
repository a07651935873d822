using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class KeysetOrderings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_events_severity_timestamp_desc",
                table: "events",
                columns: new[] { "severity", "timestamp" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_severity_created_at_desc",
                table: "alerts",
                columns: new[] { "severity", "created_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_status_created_at_desc",
                table: "alerts",
                columns: new[] { "status", "created_at" },
                descending: new[] { false, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_severity_timestamp_desc",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_alerts_severity_created_at_desc",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_status_created_at_desc",
                table: "alerts");
        }
    }
}
