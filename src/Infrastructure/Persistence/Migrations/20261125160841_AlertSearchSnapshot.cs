using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class AlertSearchSnapshot : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "description",
                table: "alerts",
                type: "character varying(10000)",
                maxLength: 10000,
                nullable: false,
                defaultValue: "");

            // Alerts raised before this migration get their event's description, so search finds them as before.
            migrationBuilder.Sql("UPDATE alerts AS a SET description = e.description FROM events AS e WHERE e.id = a.event_id AND e.description <> ''");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_search_trgm",
                table: "alerts",
                columns: new[] { "source", "event_type", "description" })
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_alerts_search_trgm",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "description",
                table: "alerts");
        }
    }
}
