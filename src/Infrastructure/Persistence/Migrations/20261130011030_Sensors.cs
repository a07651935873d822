using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using ThreatPlatform.Infrastructure.Persistence.Schema;
using ThreatPlatform.Infrastructure.Sensors;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Sensors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "sensor_id",
                table: "events",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sensors",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    normalized_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<short>(type: "smallint", nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    grouping = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sensors", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sensor_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    prefix = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    secret_hash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.ForeignKey(
                        name: "fk_api_keys_sensors_sensor_id",
                        column: x => x.sensor_id,
                        principalTable: "sensors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sensor_sources",
                columns: table => new
                {
                    source = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    sensor_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sensor_sources", x => x.source);
                    table.ForeignKey(
                        name: "fk_sensor_sources_sensors_sensor_id",
                        column: x => x.sensor_id,
                        principalTable: "sensors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_events_sensor_id_timestamp",
                table: "events",
                columns: new[] { "sensor_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_prefix",
                table: "api_keys",
                column: "prefix",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_sensor_id",
                table: "api_keys",
                column: "sensor_id");

            migrationBuilder.CreateIndex(
                name: "ix_sensor_sources_sensor_id",
                table: "sensor_sources",
                column: "sensor_id");

            migrationBuilder.CreateIndex(
                name: "ix_sensors_normalized_name",
                table: "sensors",
                column: "normalized_name",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_events_sensors_sensor_id",
                table: "events",
                column: "sensor_id",
                principalTable: "sensors",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            // Every API process caches key lookups and LISTENs on this channel (CacheInvalidationListener). The triggers
            // NOTIFY inside the transaction that revokes a key or changes a sensor's active flag or sources, so the news
            // goes out exactly when the change commits, whatever wrote it (the API, a console, a script).
            migrationBuilder.Sql($$"""
                CREATE FUNCTION notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_TABLE_NAME = 'api_keys' THEN
                        PERFORM pg_notify('{{NotifyChannels.ApiKeys}}', '{{NotifyChannels.KeyPayloadPrefix}}' || NEW.prefix);
                    ELSIF TG_TABLE_NAME = 'sensors' THEN
                        PERFORM pg_notify('{{NotifyChannels.ApiKeys}}', '{{NotifyChannels.SensorPayloadPrefix}}' || NEW.id);
                    ELSIF TG_OP = 'DELETE' THEN
                        PERFORM pg_notify('{{NotifyChannels.ApiKeys}}', '{{NotifyChannels.SensorPayloadPrefix}}' || OLD.sensor_id);
                    ELSE
                        PERFORM pg_notify('{{NotifyChannels.ApiKeys}}', '{{NotifyChannels.SensorPayloadPrefix}}' || NEW.sensor_id);
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER api_keys_notify_revoked AFTER UPDATE OF revoked_at ON api_keys
                    FOR EACH ROW WHEN (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at)
                    EXECUTE FUNCTION notify_api_key_change();

                CREATE TRIGGER sensors_notify_access AFTER UPDATE OF is_active ON sensors
                    FOR EACH ROW WHEN (NEW.is_active IS DISTINCT FROM OLD.is_active)
                    EXECUTE FUNCTION notify_api_key_change();

                CREATE TRIGGER sensor_sources_notify AFTER INSERT OR UPDATE OR DELETE ON sensor_sources
                    FOR EACH ROW EXECUTE FUNCTION notify_api_key_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The triggers go with their tables below.
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS notify_api_key_change() CASCADE");

            migrationBuilder.DropForeignKey(
                name: "fk_events_sensors_sensor_id",
                table: "events");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "sensor_sources");

            migrationBuilder.DropTable(
                name: "sensors");

            migrationBuilder.DropIndex(
                name: "ix_events_sensor_id_timestamp",
                table: "events");

            migrationBuilder.DropColumn(
                name: "sensor_id",
                table: "events");
        }
    }
}
