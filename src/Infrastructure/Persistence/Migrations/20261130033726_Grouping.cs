using System;
using System.Net;
using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Grouping : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "folded_into_alert_id",
                table: "events",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<IPAddress>(
                name: "destination_ip",
                table: "alerts",
                type: "inet",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "first_seen_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<bool>(
                name: "folds_events",
                table: "alerts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_seen_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<int>(
                name: "occurrences",
                table: "alerts",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<long>(
                name: "sensor_id",
                table: "alerts",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<IPAddress>(
                name: "source_ip",
                table: "alerts",
                type: "inet",
                nullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "changed_by_id",
                table: "alert_status_changes",
                type: "bigint",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AddColumn<short>(
                name: "from_severity",
                table: "alert_status_changes",
                type: "smallint",
                nullable: true);

            migrationBuilder.AddColumn<short>(
                name: "to_severity",
                table: "alert_status_changes",
                type: "smallint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_events_folded_into_alert_id_timestamp",
                table: "events",
                columns: new[] { "folded_into_alert_id", "timestamp" },
                filter: "folded_into_alert_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_last_seen_at_id",
                table: "alerts",
                columns: new[] { "last_seen_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_occurrences_id",
                table: "alerts",
                columns: new[] { "occurrences", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_sensor_id",
                table: "alerts",
                column: "sensor_id");

            migrationBuilder.AddForeignKey(
                name: "fk_alerts_sensors_sensor_id",
                table: "alerts",
                column: "sensor_id",
                principalTable: "sensors",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "fk_events_alerts_folded_into_alert_id",
                table: "events",
                column: "folded_into_alert_id",
                principalTable: "alerts",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            // hand-written: alerts raised before grouping hold their one event; they keep collecting nothing
            // (folds_events false), so no two of them can clash on the fingerprint index created next.
            migrationBuilder.Sql("""
                UPDATE alerts a
                SET sensor_id = e.sensor_id, source_ip = e.source_ip, destination_ip = e.destination_ip,
                    first_seen_at = e.occurred_at, last_seen_at = e.occurred_at
                FROM events e
                WHERE e.id = a.event_id;
                """);

            // hand-written: at most one collecting alert per fingerprint; an absent address matches an absent one.
            // Not in the EF model (EF Core orders writes by unique index values and cannot compare IPAddress).
            migrationBuilder.Sql($"""
                CREATE UNIQUE INDEX {UniqueIndexes.CollectingAlertFingerprint}
                    ON alerts (sensor_id, source, event_type, source_ip, destination_ip) NULLS NOT DISTINCT
                    WHERE folds_events;
                """);

            // hand-written: a sensor's grouping flag rides on its cached keys (ApiKeyCache): changing it evicts them too.
            migrationBuilder.Sql("""
                DROP TRIGGER sensors_notify_access ON sensors;
                CREATE TRIGGER sensors_notify_access AFTER UPDATE OF is_active, grouping ON sensors
                    FOR EACH ROW WHEN (NEW.is_active IS DISTINCT FROM OLD.is_active OR NEW.grouping IS DISTINCT FROM OLD.grouping)
                    EXECUTE FUNCTION notify_api_key_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                DROP INDEX {UniqueIndexes.CollectingAlertFingerprint};
                DROP TRIGGER sensors_notify_access ON sensors;
                CREATE TRIGGER sensors_notify_access AFTER UPDATE OF is_active ON sensors
                    FOR EACH ROW WHEN (NEW.is_active IS DISTINCT FROM OLD.is_active)
                    EXECUTE FUNCTION notify_api_key_change();
                DELETE FROM alert_status_changes WHERE changed_by_id IS NULL;
                """);

            migrationBuilder.DropForeignKey(
                name: "fk_alerts_sensors_sensor_id",
                table: "alerts");

            migrationBuilder.DropForeignKey(
                name: "fk_events_alerts_folded_into_alert_id",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_folded_into_alert_id_timestamp",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_alerts_last_seen_at_id",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_occurrences_id",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_sensor_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "folded_into_alert_id",
                table: "events");

            migrationBuilder.DropColumn(
                name: "destination_ip",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "first_seen_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "folds_events",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "last_seen_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "occurrences",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "sensor_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "source_ip",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "from_severity",
                table: "alert_status_changes");

            migrationBuilder.DropColumn(
                name: "to_severity",
                table: "alert_status_changes");

            migrationBuilder.AlterColumn<long>(
                name: "changed_by_id",
                table: "alert_status_changes",
                type: "bigint",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);
        }
    }
}
