using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class DetectionRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_alerts_event_id",
                table: "alerts");

            migrationBuilder.AddColumn<string>(
                name: "logsource_category",
                table: "sensors",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "logsource_product",
                table: "sensors",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "logsource_service",
                table: "sensors",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "rule_id",
                table: "alerts",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<short>(
                name: "rule_level",
                table: "alerts",
                type: "smallint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "rule_technique",
                table: "alerts",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "rule_title",
                table: "alerts",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "detection_rules",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    title = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    sigma_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    level = table.Column<short>(type: "smallint", nullable: false),
                    status = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    tags = table.Column<string[]>(type: "text[]", nullable: false),
                    logsource_product = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    logsource_category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    logsource_service = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    technique = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    sigma = table.Column<string>(type: "text", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_detection_rules", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_event_id_rule_id",
                table: "alerts",
                columns: new[] { "event_id", "rule_id" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_alerts_rule_id_created_at",
                table: "alerts",
                columns: new[] { "rule_id", "created_at" },
                filter: "rule_id IS NOT NULL");

            // hand-written: a rule's alerts collect their rule's hits only, so the collecting fingerprint includes the rule
            // (the severity's alerts have none and keep one collecting alert per fingerprint, as before).
            migrationBuilder.Sql($"""
                DROP INDEX {UniqueIndexes.CollectingAlertFingerprint};
                CREATE UNIQUE INDEX {UniqueIndexes.CollectingAlertFingerprint}
                    ON alerts (sensor_id, source, event_type, source_ip, destination_ip, rule_id) NULLS NOT DISTINCT
                    WHERE folds_events;
                """);

            // hand-written: any change to the rules, or to a sensor's logsource, tells every API process to reload its
            // compiled rule set (DetectionRuleSet), in the changing transaction.
            migrationBuilder.Sql(DetectionRuleNotificationsSql.Up);

            // hand-written: correlation state (CorrelationStore), shared by every replica and kept across restarts. One row
            // per (rule, event, base rule): the primary key makes a retried event count once. Rows older than the rule's
            // timespan before its group's newest are pruned as the group is updated; a deleted rule takes its rows along.
            migrationBuilder.Sql("""
                CREATE TABLE rule_correlation_entries (
                    rule_id bigint NOT NULL REFERENCES detection_rules (id) ON DELETE CASCADE,
                    event_key text NOT NULL,
                    reference text NOT NULL,
                    group_key text NOT NULL,
                    value text,
                    at timestamptz NOT NULL,
                    consumed boolean NOT NULL DEFAULT false,
                    CONSTRAINT pk_rule_correlation_entries PRIMARY KEY (rule_id, event_key, reference)
                );
                -- A group's window: its entries in time order.
                CREATE INDEX ix_rule_correlation_entries_group ON rule_correlation_entries (rule_id, group_key, at);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                DROP TABLE rule_correlation_entries;
                DROP TRIGGER sensors_notify_logsource ON sensors;
                DROP FUNCTION notify_detection_rules_change() CASCADE;
                DROP INDEX {UniqueIndexes.CollectingAlertFingerprint};
                DELETE FROM alerts WHERE rule_id IS NOT NULL;
                CREATE UNIQUE INDEX {UniqueIndexes.CollectingAlertFingerprint}
                    ON alerts (sensor_id, source, event_type, source_ip, destination_ip) NULLS NOT DISTINCT
                    WHERE folds_events;
                """);

            migrationBuilder.DropTable(
                name: "detection_rules");

            migrationBuilder.DropIndex(
                name: "ix_alerts_event_id_rule_id",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_rule_id_created_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "logsource_category",
                table: "sensors");

            migrationBuilder.DropColumn(
                name: "logsource_product",
                table: "sensors");

            migrationBuilder.DropColumn(
                name: "logsource_service",
                table: "sensors");

            migrationBuilder.DropColumn(
                name: "rule_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "rule_level",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "rule_technique",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "rule_title",
                table: "alerts");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_event_id",
                table: "alerts",
                column: "event_id",
                unique: true);
        }
    }
}
