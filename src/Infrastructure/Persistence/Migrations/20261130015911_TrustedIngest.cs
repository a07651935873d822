using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class TrustedIngest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "awaiting_approval",
                table: "users",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "detection_confidence",
                table: "events",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "detection_model",
                table: "events",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "detection_model_version",
                table: "events",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "detection_technique",
                table: "events",
                type: "character varying(9)",
                maxLength: 9,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "detection_confidence",
                table: "alerts",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "detection_model",
                table: "alerts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "detection_model_version",
                table: "alerts",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "detection_technique",
                table: "alerts",
                type: "character varying(9)",
                maxLength: 9,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_events_detection_confidence_timestamp",
                table: "events",
                columns: new[] { "detection_confidence", "timestamp" },
                filter: "detection_confidence IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_events_detection_technique_timestamp",
                table: "events",
                columns: new[] { "detection_technique", "timestamp" },
                filter: "detection_technique IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_detection_confidence_created_at",
                table: "alerts",
                columns: new[] { "detection_confidence", "created_at" },
                filter: "detection_confidence IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_detection_technique_created_at",
                table: "alerts",
                columns: new[] { "detection_technique", "created_at" },
                filter: "detection_technique IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_detection_confidence_timestamp",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_detection_technique_timestamp",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_alerts_detection_confidence_created_at",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_detection_technique_created_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "awaiting_approval",
                table: "users");

            migrationBuilder.DropColumn(
                name: "detection_confidence",
                table: "events");

            migrationBuilder.DropColumn(
                name: "detection_model",
                table: "events");

            migrationBuilder.DropColumn(
                name: "detection_model_version",
                table: "events");

            migrationBuilder.DropColumn(
                name: "detection_technique",
                table: "events");

            migrationBuilder.DropColumn(
                name: "detection_confidence",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "detection_model",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "detection_model_version",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "detection_technique",
                table: "alerts");
        }
    }
}
